"""What a client reads in the portal: their own invoices, balances and PDFs, never anyone else's."""
