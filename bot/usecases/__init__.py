"""What people ask Loopkeeper to do, one module per family. Each function checks who
asks, then uses the store and the domain in one transaction."""
