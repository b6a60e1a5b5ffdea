"""One check any browser test can run on a page at 390x844: made for a phone in the pits.

``phone_problems(page)`` lists what is wrong with the page as shown (folds as they are):

* a target under 44 px: every visible link, button, form field and fold summary must be at
  least 44 px tall and 44 px wide (a radio or checkbox counts as its label, the thing a
  thumb taps; its own circle or box must still be drawn at 20 px or more);
* horizontal overflow: the page is wider than the phone;
* a raw parameter code (``SO_F``, ``C_R``, ``DF``, ``Bell`` ...) in the visible text, where a
  racer should read the catalogue's label ("Front shock oil").

``assert_phone_ready(page)`` fails with every problem listed at once.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

from apex.catalogue import RAW_CODES  # the keys found in no label (DF, SO_F, Bell ...)

MIN_TAP = 44
PHONE_WIDTH = 390

_RAW = re.compile(r"(?<![\w/])(" + "|".join(map(re.escape, RAW_CODES)) + r")(?![\w/])")

# Every visible target, measured in the page (a function, not an expression: the CSP
# forbids eval). A radio or checkbox is measured by the label that holds it or names it.
_TARGETS_JS = """(min) => {
  const out = [];
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(sel)) {
    let box = el;
    const mark = el.matches('input[type=radio], input[type=checkbox]');
    if (mark && getComputedStyle(el).opacity !== '0') {
      const own = el.getBoundingClientRect();
      if (own.width > 0 && Math.min(own.width, own.height) < 20) {
        const drawn = `${Math.round(own.width)}x${Math.round(own.height)}`;
        out.push(`${el.type} "${el.value}" drawn at ${drawn}`);
      }
    }
    if (mark) {
      box = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
    }
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('[hidden]')) continue;
    const r = box.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not rendered (a closed fold, display:none)
    if (Math.min(r.width, r.height) >= min) continue;
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '')
      .trim().slice(0, 40);
    const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
    out.push(`${el.tagName.toLowerCase()} "${text}" ${size}`);
  }
  return out;
}"""


def small_targets(page: Page) -> list[str]:
    return page.evaluate(_TARGETS_JS, MIN_TAP)


def overflow(page: Page) -> list[str]:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    return [f"the page is {width} px wide (phone: {PHONE_WIDTH})"] if width > PHONE_WIDTH else []


def raw_codes(page: Page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    found = sorted({m.group(1) for m in _RAW.finditer(text)})
    return [f"raw parameter code {code!r} in the text" for code in found]


def phone_problems(page: Page) -> list[str]:
    return ([f"target under {MIN_TAP} px: {t}" for t in small_targets(page)]
            + overflow(page) + raw_codes(page))


def assert_phone_ready(page: Page, what: str = "") -> None:
    problems = phone_problems(page)
    where = what or page.url
    assert not problems, f"{where} is not phone-ready:\n  " + "\n  ".join(problems)
