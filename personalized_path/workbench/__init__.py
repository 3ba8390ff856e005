"""Running the blocks in the xblock-sdk workbench (development and tests only)."""
