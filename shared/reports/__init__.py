"""What the practice is owed, read from the ledger: the A/R aging report."""
