"""A small SMTP server for tests that run the sender in another process: it
records each message's recipients once the message is accepted, and can hold
one message unanswered (the sender is then killed mid-send, before the server
has said it took the message, so that message is never delivered)."""

import socketserver
import threading


class SmtpSink:
    def __init__(self, hold_message: int | None = None):
        self.hold_message = hold_message  # the nth message (from 1) is never answered
        self.delivered: list[list[str]] = []
        self.holding = threading.Event()
        self._lock = threading.Lock()
        self._seen = 0
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.reply("220 sink ready")
                recipients: list[str] = []
                for raw in self.rfile:
                    command = raw.decode(errors="replace").strip()
                    verb = command[:4].upper()
                    if verb == "EHLO":
                        self.reply("250-sink")
                        self.reply("250 8BITMIME")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 go ahead")
                        for line in self.rfile:
                            if line in (b".\r\n", b".\n"):
                                break
                        if not sink._accept(recipients):
                            # Say nothing: wait until the sender goes away.
                            while self.rfile.read(1):
                                pass
                            return
                        recipients = []
                        self.reply("250 accepted")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # HELO, MAIL, RSET, NOOP
                        if verb == "RSET":
                            recipients = []
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _accept(self, recipients: list[str]) -> bool:
        with self._lock:
            self._seen += 1
            if self._seen == self.hold_message:
                self.holding.set()
                return False
            self.delivered.append(list(recipients))
            return True

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
