"""Service adapters: one module per loyalty service owns all of its wire names."""
