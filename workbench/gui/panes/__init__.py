"""One module per pane. A pane gets the bus and a store view, and never calls another pane."""
