"""The parts of the web page behind ``chat_app.ui.create_app``.

``text`` turns catalog, user and model text into inert Markdown; ``keys`` issues and checks signed session
tokens; ``api`` is the documented HTTP and MCP API; ``turns`` streams one chat turn into page updates and
takes turns back; ``serve`` holds what every way of serving the page passes to Gradio.
"""
