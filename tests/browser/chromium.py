"""How APEX drives Debian's Chromium: shared by the browser tests and scripts/bench_pages."""

CHROMIUM = "/usr/bin/chromium"
# Root in a sandbox needs --no-sandbox; the rest keeps Chromium off the (closed) network.
CHROME_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
# A phone in the pits: small screen, touch, mobile layout, no hi-dpi scaling.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1,
         "is_mobile": True, "has_touch": True}
