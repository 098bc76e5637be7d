"""Watch-lists with push, the public change feed and the signed daily bulk files (issue #20, part B)."""
