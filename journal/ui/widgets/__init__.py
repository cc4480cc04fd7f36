"""Small widgets and form helpers shared by pages and dialogs."""
