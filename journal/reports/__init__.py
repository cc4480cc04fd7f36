"""The visit summary: its data (no Qt) and its rendering to HTML, PDF and the printer."""
