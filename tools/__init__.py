"""Command-line tools around the services: the AsyncAPI document, the event JSON Schemas, and
the replay of parked messages. They may import the services; the services never import them."""
