"""
``./manage.py cms import_skill_framework framework.json --name "Fractions"``: a competency framework in
the platform's taxonomy import format (JSON or CSV, by the file's ending) becomes a taxonomy whose tags
the blocks' editors offer as skills. Run again with a changed file to update it (tags keep their ids).
"""
from django.core.management.base import BaseCommand, CommandError

from personalized_path.openedx.skill_tags import import_framework


class Command(BaseCommand):
    """import_skill_framework: one file, one taxonomy."""

    help = "Import a competency framework file (the platform's taxonomy JSON or CSV) as a skill taxonomy."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .json or .csv file with id, value and parent_id per tag.")
        parser.add_argument("--name", required=True, help="The taxonomy's name (created, or updated if it exists).")
        parser.add_argument("--description", default="", help="The taxonomy's description.")

    def handle(self, *args, **options):
        path = options["file"]
        file_format = "csv" if path.lower().endswith(".csv") else "json"
        try:
            with open(path, "rb") as file:
                taxonomy, _log = import_framework(options["name"], file, file_format, options["description"])
        except (OSError, ValueError) as error:
            raise CommandError(f"{path} was not imported: {error}") from error
        count = taxonomy.tag_set.count()
        self.stdout.write(f"Imported {path} as the taxonomy “{taxonomy.name}” ({count} skills).")
