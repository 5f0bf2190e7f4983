"""Platform adapters: each translates events into the core's Incoming and renders its Answer."""
