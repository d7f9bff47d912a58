"""The LLM answer chain: prompts, grounding, attribution, the LCEL chain, the local runtime.

Backends in ``assistant.backends`` (``openai``, ``local``) use these; nothing here picks a backend.
"""
