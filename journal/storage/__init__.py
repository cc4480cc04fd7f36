"""SQLite storage: typed ORM, engine and pragmas, migrations, backups, the instance lock."""
