"""The chat-model runtime.

``base`` (the ``ChatModel`` interface and its error boundary), ``loader`` (settings -> a model), the
backends ``llamacpp`` (the CPU default), ``transformers_model`` (CUDA nf4, or ``--runtime transformers``),
``remote`` (an OpenAI-compatible server) and ``fake`` (scripted, for tests), the model files (``packaged``,
``modelfile``) and ``structured`` (choices and JSON from model output).
"""
