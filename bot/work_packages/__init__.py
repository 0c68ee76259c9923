"""Work packages as people see them: status words, the rules of updating, and their rendering."""
