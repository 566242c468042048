"""Pure look-and-feel rules shared by the website scrape (``brands.scrape``) and the render
engine (``generations.render``): colour maths (``studio.visual.colour``) and matching a brand's
font to a bundled family (``studio.visual.fonts``). No Django, no app imports: both sides may
import it.
"""
