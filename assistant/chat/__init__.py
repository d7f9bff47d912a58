"""The terminal chat (``assistant chat``): a REPL with streaming answers, sources and saved conversations.

``render`` prints answers (shared with ``assistant ask``), ``session`` holds one conversation's
state, ``commands`` are the slash commands, ``repl`` reads the user's input.
"""
