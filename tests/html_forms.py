"""Read the forms of a rendered page as a browser would, to post them back.

`page_form(response)` finds the form a page is for (the post form with the most
fields, not the sign-out button) and lists its controls; `Form.data()` is what a
browser would send if the person pressed the button without changing anything.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Control:
    name: str
    tag: str  # input, textarea or select
    type: str  # the input's type; "textarea"; "select"
    value: str = ""
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # select: (value, selected)

    @property
    def is_text(self) -> bool:
        return self.tag == "textarea" or (self.tag == "input" and self.type in ("text", ""))


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    def named(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name]

    def names(self) -> list[str]:
        return list(dict.fromkeys(c.name for c in self.controls))

    def choices(self, name: str) -> list[str]:
        """The values a radio group or select offers."""
        values = []
        for control in self.named(name):
            if control.type == "radio":
                values.append(control.value)
            elif control.tag == "select":
                values.extend(value for value, _ in control.options)
        return values

    def data(self) -> dict[str, str | list[str]]:
        data: dict[str, list[str]] = {}
        for control in self.controls:
            if control.type in ("radio", "checkbox"):
                if control.checked:
                    data.setdefault(control.name, []).append(control.value)
            elif control.tag == "select":
                chosen = [value for value, selected in control.options if selected]
                if not chosen and control.options:
                    chosen = [control.options[0][0]]  # a browser sends the first option
                data.setdefault(control.name, []).extend(chosen[:1])
            else:
                data.setdefault(control.name, []).append(control.value)
        return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Control | None = None
        self._select: Control | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or ("disabled" in a and tag != "option"):
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            default = "on" if kind in ("radio", "checkbox") else ""
            self._form.controls.append(
                Control(name, "input", kind, a.get("value", default), "checked" in a)
            )
        elif tag == "textarea" and name:
            self._textarea = Control(name, "textarea", "textarea")
            self._form.controls.append(self._textarea)
        elif tag == "select" and name:
            self._select = Control(name, "select", "select")
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = [a.get("value"), "selected" in a, ""]
            self._select.options.append(None)  # filled in at the end of the option

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option[2] += data

    def _close_option(self):
        if self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options[-1] = (text.strip() if value is None else value, selected)
        self._option = None

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            value = self._textarea.value
            if value.startswith("\r\n"):
                value = value[2:]
            elif value.startswith("\n"):
                value = value[1:]
            self._textarea.value = value
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "form":
            self._close_option()
            self._form = None


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def page_form(response) -> Form:
    """The form the page is for: the post form with the most fields."""
    candidates = [f for f in forms_of(response.content.decode()) if f.method == "post"]
    assert candidates, "the page has no form to post"
    return max(candidates, key=lambda f: len(f.controls))
