// ESLint for the blocks' classic browser scripts (no build step: what is here is what browsers run).
// The init functions the XBlock runtime calls are declared with /* exported ... */ in each script.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2017,
      sourceType: "script",
      globals: globals.browser
    },
    rules: {
      "no-undef": "error",
      "no-unused-vars": ["error", {caughtErrors: "none"}],
      strict: ["error", "function"],
      eqeqeq: "error"
    }
  }
];
