"""Every slider in the built book changes what it controls, with no kernel and no network.

Opens every page of the built book (``BOOK_HTML``, as for tests/test_browser.py) in headless
Chromium with every request not to 127.0.0.1 blocked, finds every slider (``<input type="range">``
anywhere, and the sliders of saved Jupyter widgets), and moves each one through every position,
one step at a time. Each step must change the picture next to the slider (the explorer's frame,
or any image, SVG or canvas in the same cell output) and the value it shows. A saved ipywidgets
slider fails outright: without a kernel nothing listens to it.
"""
import hashlib

from test_browser import bring_into_view, open_page, pages_of

# The picture and readout a slider controls: its explorer, or else the cell output around it.
STATE = """(slider) => {
  const box = slider.closest('.lstm-explorer') || slider.closest('.cell_output') || slider.parentElement;
  const pictures = [...box.querySelectorAll('img')].map(img => img.src)
      .concat([...box.querySelectorAll('svg')].map(svg => svg.outerHTML))
      .concat([...box.querySelectorAll('canvas')].map(canvas => canvas.toDataURL()));
  const shown = [...box.querySelectorAll('output, .lstm-explorer-readout')].map(node => node.textContent);
  return {pictures: pictures.join('|'), shown: shown.join('|'), count: pictures.length};
}"""


def digest(state):
    return hashlib.sha1(state["pictures"].encode()).hexdigest()


def test_every_slider_in_the_book_moves_something(browser, book):
    html, base = book
    dead, moved, sliders_seen, pages_with_sliders = [], 0, 0, []
    for name in pages_of(html):
        text = (html / name).read_text(encoding="utf8")
        if 'type="range"' not in text and "application/vnd.jupyter.widget-state+json" not in text:
            continue
        page, context, problems = open_page(browser, f"{base}/{name}")
        widget_sliders = page.locator(".widget-slider, .jupyter-widgets .noUi-target").count()
        if widget_sliders:
            dead.append(f"{name}: {widget_sliders} saved ipywidgets sliders, which change nothing without a kernel")
        sliders = page.locator("input[type=range]")
        if sliders.count():
            pages_with_sliders.append(f"{name}: {sliders.count()}")
        for index in range(sliders.count()):
            slider = sliders.nth(index)
            bring_into_view(slider)
            label = slider.get_attribute("aria-label") or f"slider {index}"
            low, high = int(slider.get_attribute("min") or 0), int(slider.get_attribute("max") or 100)
            sliders_seen += 1
            start = int(slider.input_value())
            positions = [value for value in range(low, high + 1) if value != start] + [start]
            slider.fill(str(low if start != low else high))
            slider.fill(str(start))
            before = slider.evaluate(STATE)
            if not before["count"]:
                dead.append(f"{name}: {label} has no picture next to it")
                continue
            for value in positions:
                slider.fill(str(value))
                after = slider.evaluate(STATE)
                if digest(after) == digest(before) or after["shown"] == before["shown"]:
                    dead.append(f"{name}: {label} moved to {value} changes nothing")
                    break
                before = after
                moved += 1
        assert not problems["console"] and not problems["blocked"], (name, problems)
        context.close()
    print(f"{sliders_seen} sliders on {len(pages_with_sliders)} pages ({'; '.join(pages_with_sliders)}), "
          f"{moved} moves, each changing the figure")
    assert not dead, "\n".join(dead)
    assert sliders_seen >= 8
