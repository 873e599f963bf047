"""One evaluation: read a PR through the port, decide with bot.core, converge GitHub's state."""
