"""What every Mathreel service shares: settings, messages, storage, database, bus, auth."""
