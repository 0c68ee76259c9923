"""Work packages as people see them: their statuses and the rules of changing them
(`statuses`), one package and its reference (`packages`), updates and the log (`updates`), and
what `status` shows (`pages`)."""
