"""The Stripe.js stand-in and the portal's page code, checked against Stripe's own published type
declarations (`@stripe/stripe-js`, vendored in tests/stripe/vendor/stripe_js_types/): the stand-in offers
nothing Stripe.js lacks, and the page calls no method and passes no option that Stripe.js does not
declare — so page code that works against the stand-in cannot call something real Stripe.js lacks."""

from __future__ import annotations

import re
from pathlib import Path

from tests import stack

TYPES = Path(__file__).with_name("vendor") / "stripe_js_types"
STRIPE_JS_VERSION = "10.2.1"
STANDIN = stack.REPO_ROOT / "deploy" / "local" / "stripe_standin" / "stripe-js-standin.js"
PORTAL_JS = stack.REPO_ROOT / "services" / "api" / "portal" / "js"

# Which class of the stand-in stands in for which declared Stripe.js type.
STANDIN_CLASSES = {"StripeStandIn": "Stripe", "Elements": "StripeElements", "PaymentElement": "StripePaymentElement"}


def _without_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))


def _block_after(text: str, start: int) -> str:
    """The text inside the braces opening at or after `start`."""
    opening = text.index("{", start)
    depth = 0
    for i in range(opening, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[opening + 1 : i]
    raise ValueError("unbalanced braces")


def _top_level_names(body: str) -> set[str]:
    """Member names declared at the top level of a TypeScript interface/type body."""
    names, depth = set(), 0
    for line in body.splitlines():
        if depth == 0 and (m := re.match(r"\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*[(:<]", line)):
            names.add(m.group(1))
        depth += line.count("{") - line.count("}") + line.count("(") - line.count(")")
    return names


def declared(name: str) -> set[str]:
    """Every member of the declared interface or type `name`, with what it extends or intersects."""
    text = "\n".join(_without_comments(p.read_text()) for p in sorted(TYPES.rglob("*.d.ts")))
    m = re.search(rf"(?:interface|type)\s+{name}\b([^{{;]*?)(?:=\s*)?([^{{;]*)\{{", text)
    assert m, f"{name} is not declared in @stripe/stripe-js {STRIPE_JS_VERSION}"
    members = _top_level_names(_block_after(text, m.start()))
    for parent in re.findall(r"\b([A-Z]\w+)\b", m.group(1) + m.group(2)):
        if parent != name and re.search(rf"(?:interface|type)\s+{parent}\b", text):
            members |= declared(parent)
    return members


def standin_methods(source: str) -> dict[str, set[str]]:
    """The public methods of each class of the stand-in (a leading _ marks the stand-in's own)."""
    source = _without_comments(source)
    methods: dict[str, set[str]] = {}
    for cls in STANDIN_CLASSES:
        body = _block_after(source, source.index(f"class {cls} "))
        names = set(re.findall(r"^ {4}(?:async\s+)?([A-Za-z$][\w$]*)\s*\(", body, flags=re.M))
        methods[cls] = names - {"constructor"}
    return methods


def page_calls(source: str) -> dict[str, set[str]]:
    """What page code calls on the Stripe objects it holds (state.stripe / state.elements / state.element)."""
    kinds = {"stripe": "Stripe", "elements": "StripeElements", "element": "StripePaymentElement"}
    calls: dict[str, set[str]] = {t: set() for t in kinds.values()}
    for holder, method in re.findall(r"state\.(stripe|elements|element)\.([A-Za-z$][\w$]*)\(", source):
        calls[kinds[holder]].add(method)
    return calls


def _literal_keys(source: str, call: str) -> set[str]:
    """The keys of the object literals passed to `call(` in `source`."""
    keys: set[str] = set()
    for m in re.finditer(re.escape(call) + r"\(", source):
        body = _block_after(source, m.end() - 1)
        depth, item = 0, ""
        for ch in body + ",":
            if ch in "{[(":
                depth += 1
            elif ch in "}])":
                depth -= 1
            if ch == "," and depth == 0:
                if km := re.match(r"\s*([A-Za-z_$][\w$]*)\s*(?::|$)", item):
                    keys.add(km.group(1))
                item = ""
            else:
                item += ch
    return keys


def problems(standin: str, pages: str) -> list[str]:
    found = []
    for cls, methods in standin_methods(standin).items():
        for method in sorted(methods - declared(STANDIN_CLASSES[cls])):
            found.append(f"the stand-in's {cls}.{method} is not in Stripe.js's {STANDIN_CLASSES[cls]}")
    for declared_type, methods in page_calls(pages).items():
        for method in sorted(methods - declared(declared_type)):
            found.append(f"page code calls {declared_type}.{method}, which Stripe.js does not have")
    options = {
        "state.stripe.elements": declared("StripeElementsOptionsModePayment"),
        "state.elements.create('payment', ": declared("StripePaymentElementOptions"),
        "state.elements.update": declared("StripeElementsUpdateOptions"),
        "state.stripe.createConfirmationToken": declared("CreateConfirmationToken"),
    }
    for call, allowed in options.items():
        if call.endswith(", "):
            keys = _literal_keys(pages.replace(call, call.rstrip(", ") + "_opts("), call.rstrip(", ") + "_opts")
        else:
            keys = _literal_keys(pages, call)
        for key in sorted(keys - allowed):
            found.append(f"page code passes {key!r} to {call.strip(', ')}, which Stripe.js does not declare")
    return found


def _portal_sources() -> str:
    return "\n".join(p.read_text() for p in sorted(PORTAL_JS.rglob("*.js")))


def test_the_vendored_declarations_are_the_version_we_name():
    assert f"version **{STRIPE_JS_VERSION}**" in (TYPES / "README.md").read_text()
    assert {"createConfirmationToken", "handleNextAction", "elements"} <= declared("Stripe")
    assert {"submit", "create", "update", "getElement"} <= declared("StripeElements")
    assert {"mount", "destroy", "on", "off", "focus"} <= declared("StripePaymentElement")


def test_the_standin_and_the_pages_use_only_what_stripe_js_declares():
    pages = _portal_sources()
    assert page_calls(pages)["Stripe"] >= {"createConfirmationToken", "handleNextAction", "elements"}
    assert problems(STANDIN.read_text(), pages) == []


def test_a_method_stripe_js_lacks_would_be_caught():
    """The check above can fail: a legacy or invented call is named."""
    pages = _portal_sources() + "\nstate.stripe.confirmCardSetup(secret);\nstate.element.shake();\n"
    pages += "state.stripe.elements({ mode: 'payment', paymentMethodTypes: ['card'] });\n"
    standin = STANDIN.read_text().replace("    focus() {", "    wobble() {}\n    focus() {")
    found = problems(standin, pages)
    assert "page code calls Stripe.confirmCardSetup, which Stripe.js does not have" not in found  # it exists (legacy)
    assert "page code calls StripePaymentElement.shake, which Stripe.js does not have" in found
    assert "the stand-in's PaymentElement.wobble is not in Stripe.js's StripePaymentElement" in found
    assert any("'paymentMethodTypes'" in p for p in found), found
