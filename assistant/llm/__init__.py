"""The LLM answer chain: compact evidence, prompts, condensation, grounding, and the LCEL chain.

Backends in ``assistant.backends`` (``openai``, ``local``) use these; nothing here picks a backend.
"""
