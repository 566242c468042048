"""The UGC script: hook / problem / product moment / proof / CTA, timed to a duration.

A script is spoken at the language's pace (words per second for unhurried creator speech:
English 2.5, Spanish 2.9, French 2.7, German 2.2), so the number of words a duration holds
is known before a word is written. ``LocalScriptWriter`` builds each section's candidates
from phrase banks and the Brand DNA (value props used whole, through the sentence shape their
kind allows, as the ad copywriter does), then picks the combination whose length lands
closest to that budget. ``ScriptWriter`` is the interface a chat-model adapter implements
(``generations.providers.chat.ChatScriptWriter``, picked by the provider registry); whatever
writes the lines, ``timed_words`` spreads them over the speech (reading speed when the video
is silent, the voice track's length when there is one).
"""

from __future__ import annotations

import itertools
import random
import re
import zlib
from dataclasses import dataclass
from typing import Protocol

from ..copy import CTA, Part, category_of, parts_of
from ..specs import BrandSpec, ProductSpec

SECTIONS = ("hook", "problem", "product", "proof", "cta")
WORDS_PER_SECOND = {"en": 2.5, "es": 2.9, "fr": 2.7, "de": 2.2}
DEFAULT_WPS = 2.5
# Speech starts a beat in and ends before the last frames, so the CTA is not cut mid-word.
LEAD_IN, TAIL = 0.15, 0.35


@dataclass(frozen=True)
class ScriptLine:
    section: str
    text: str


@dataclass(frozen=True)
class Script:
    lines: tuple[ScriptLine, ...]
    language: str
    source: str = "local"  # who wrote it: "local" or "<provider>:<model>", as ``Copy.source``
    fallback: str = ""  # why a provider's script was not used (empty: no fallback)

    @property
    def words(self) -> list[tuple[str, str]]:
        """Every spoken word with its section, in order."""
        return [(word, line.section) for line in self.lines for word in line.text.split()]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def words_per_second(self) -> float:
        return WORDS_PER_SECOND.get(self.language, DEFAULT_WPS)

    @property
    def spoken_seconds(self) -> float:
        """How long the script takes to say at the language's pace."""
        return len(self.words) / self.words_per_second

    def section(self, name: str) -> str:
        return " ".join(line.text for line in self.lines if line.section == name)


@dataclass(frozen=True)
class TimedWord:
    text: str
    section: str
    start: float
    end: float


def language_of(brand: BrandSpec) -> str:
    return (brand.language or "en").split("-")[0].lower()


def word_budget(duration: float, language: str) -> int:
    """How many words fill ``duration`` seconds of speech in ``language``."""
    speech = max(1.0, duration - LEAD_IN - TAIL)
    return max(4, round((speech + LEAD_IN + TAIL) * WORDS_PER_SECOND.get(language, DEFAULT_WPS)))


class ScriptWriter(Protocol):
    """Anything that writes a UGC script; a chat-model adapter implements the same call and
    returns a Script whose lines are tagged with ``SECTIONS``."""

    def write(self, *, brand: BrandSpec, product: ProductSpec, prompt: str, duration: float,
              template: str, seed: int) -> Script: ...


# --------------------------------------------------------------------------- phrase banks
# {p} product, {n} brand, {x} a value prop mid-sentence, {X} at the start of one.
BANKS: dict[str, dict] = {
    "en": {
        "hook": ["Okay, I need to talk about {p}.", "I was not ready for how good {p} is.",
                 "This is your sign to try {p}.", "Honestly? {p} surprised me.",
                 "Wait, why did nobody tell me about {p}?",
                 "I've been using {p} for two weeks, and wow."],
        "problem": {
            "skincare": ["My skin was dull and dry for months.",
                         "Nothing I tried kept my skin calm.",
                         "I had basically given up on serums that promise everything."],
            "coffee": ["My mornings used to start with bitter, boring coffee.",
                       "I was spending way too much at the café every day."],
            "apparel": ["Most hoodies lose their shape after one wash.",
                        "I'm so tired of clothes that look tired after a month."],
            "food": ["I'm always hunting for a snack that isn't junk.",
                     "Every afternoon I'd crash and grab whatever was there."],
            "default": ["I was tired of products that overpromise.",
                        "I'd tried so many options and nothing stuck."],
        },
        "intro": ["Then I found {p} from {n}.", "Then I tried {p} by {n}.",
                  "So I switched to {p}."],
        "part": {"outcome": "It {x}.", "benefit": "It's {x}.", "material": "It's made with {x}.",
                 "feature": "{X}.", "ritual": "{X}, every time."},
        "proof": {
            "skincare": ["Two weeks in, my skin actually glows.",
                         "My friends keep asking what I changed."],
            "default": ["Two weeks in and I'm hooked.", "My friends keep asking about it.",
                        "I've already ordered my second one.",
                        "Honestly, the results speak for themselves."],
        },
        "cta": ["Tap the link and try it yourself.", "Trust me, just try it.",
                "Get yours before it sells out.", "Go try it, you can thank me later."],
    },
    "es": {
        "hook": ["Vale, tengo que hablaros de {p}.", "No estaba lista para lo bueno que es {p}.",
                 "Esta es tu señal para probar {p}.", "¿En serio nadie me habló de {p} antes?",
                 "Llevo dos semanas usando {p} y estoy flipando."],
        "problem": {
            "skincare": ["Tenía la piel apagada y seca desde hacía meses.",
                         "Nada de lo que probaba me calmaba la piel.",
                         "Ya casi había dejado de creer en los sérums milagro."],
            "coffee": ["Mis mañanas empezaban con un café amargo y aburrido.",
                       "Me gastaba demasiado en la cafetería cada día."],
            "apparel": ["Casi todas las sudaderas se deforman al primer lavado.",
                        "Estoy harta de ropa que parece vieja en un mes."],
            "food": ["Siempre busco un snack que no sea comida basura.",
                     "Cada tarde me daba el bajón y comía lo primero que veía."],
            "default": ["Estaba cansada de productos que prometen demasiado.",
                        "Había probado mil opciones y ninguna funcionaba."],
        },
        "intro": ["Entonces encontré {p} de {n}.", "Entonces probé {p} de {n}.",
                  "Así que me pasé a {p}."],
        "part": {"outcome": "{X}.", "benefit": "Es {x}.", "material": "Está hecho con {x}.",
                 "feature": "{X}.", "ritual": "{X}, siempre."},
        "proof": {
            "skincare": ["Dos semanas después, mi piel brilla de verdad.",
                         "Mis amigas no paran de preguntarme qué he cambiado."],
            "default": ["Dos semanas después, estoy enganchada.",
                        "Mis amigas no paran de preguntarme por él.",
                        "Ya he pedido el segundo.",
                        "Sinceramente, los resultados hablan por sí solos."],
        },
        "cta": ["Toca el enlace y pruébalo tú misma.", "Hazme caso y pruébalo.",
                "Consíguelo antes de que se agote.", "Pruébalo, ya me darás las gracias."],
    },
    "fr": {
        "hook": ["Bon, il faut que je vous parle de {p}.",
                 "Je ne m'attendais pas à aimer {p} autant.",
                 "C'est votre signe pour essayer {p}.", "Pourquoi personne ne m'a parlé de {p} ?"],
        "problem": {"skincare": ["Ma peau était terne et sèche depuis des mois.",
                                 "Rien ne calmait vraiment ma peau."],
                    "default": ["J'en avais marre des produits qui promettent trop.",
                                "J'avais tout essayé, sans résultat.",
                                "Je cherchais quelque chose de simple qui marche vraiment."]},
        "intro": ["Puis j'ai découvert {p} de {n}.", "Alors j'ai essayé {p} de {n}."],
        "part": {"outcome": "{X}.", "benefit": "C'est {x}.", "material": "C'est fait avec {x}.",
                 "feature": "{X}.", "ritual": "{X}, à chaque fois."},
        "proof": {"default": ["Deux semaines plus tard, je suis conquise.",
                              "Mes amies me demandent ce que j'ai changé.",
                              "J'ai déjà commandé le deuxième.",
                              "Franchement, les résultats parlent d'eux-mêmes."]},
        "cta": ["Cliquez sur le lien et essayez.", "Faites-moi confiance, essayez-le.",
                "Foncez avant la rupture de stock."],
    },
    "de": {
        "hook": ["Okay, ich muss euch von {p} erzählen.",
                 "Ich war nicht bereit dafür, wie gut {p} ist.",
                 "Das ist dein Zeichen, {p} zu testen.", "Warum hat mir niemand von {p} erzählt?"],
        "problem": {"skincare": ["Meine Haut war monatelang fahl und trocken.",
                                 "Nichts hat meine Haut wirklich beruhigt."],
                    "default": ["Ich hatte genug von Produkten, die zu viel versprechen.",
                                "Ich hatte so vieles probiert, nichts hat funktioniert.",
                                "Ich wollte einfach etwas, das wirklich funktioniert."]},
        "intro": ["Dann habe ich {p} von {n} entdeckt.", "Dann habe ich {p} von {n} getestet."],
        "part": {"outcome": "{X}.", "benefit": "Es ist {x}.", "material": "Es ist mit {x} gemacht.",
                 "feature": "{X}.", "ritual": "{X}, jedes Mal."},
        "proof": {"default": ["Zwei Wochen später bin ich überzeugt.",
                              "Meine Freunde fragen ständig, was ich geändert habe.",
                              "Ich habe schon das zweite bestellt.",
                              "Ehrlich, die Ergebnisse sprechen für sich."]},
        "cta": ["Tipp auf den Link und teste es selbst.", "Vertrau mir, probier es aus.",
                "Hol es dir, bevor es weg ist."],
    },
}


def _lower_first(text: str, lang: str) -> str:
    if lang == "de" or len(text) < 2 or not text[1:2].islower():
        return text
    return text[:1].lower() + text[1:]


def _count(text: str) -> int:
    return len(text.split())


class LocalScriptWriter:
    """Phrase banks and the Brand DNA, combined to the duration's word budget."""

    max_options = 6

    def write(self, *, brand: BrandSpec, product: ProductSpec, prompt: str = "",
              duration: float = 15.0, template: str = "ugc-product-video",
              seed: int = 0) -> Script:
        lang = language_of(brand)
        bank = BANKS.get(lang, BANKS["en"])
        if lang not in BANKS:
            lang = "en"
        rng = random.Random(zlib.crc32(f"{seed}:{brand.name}:{product.name}:{template}".encode()))
        category = category_of(brand, ProductSpec(name=product.name, description=" ".join(
            (product.description, prompt))))
        fields = {"p": product.name, "n": brand.name}
        hooks = [h.format(**fields) for h in bank["hook"]]
        # A copy: the pools are shuffled in place, and the bank must not change between calls
        # (the same seed writes the same script).
        problems = list(bank["problem"].get(category, bank["problem"]["default"]))
        proofs = bank["proof"].get(category, []) + bank["proof"]["default"]
        intros = [i.format(**fields) for i in bank["intro"]]
        parts = [self._part(p, bank, lang) for p in parts_of(brand)]
        if brand.tagline.strip():
            parts.append(brand.tagline.strip().rstrip(".!") + ".")
        ctas = list(bank["cta"]) + [f"{c}!" for c in CTA.get(lang, CTA["en"])[:1]]
        for pool in (hooks, problems, proofs, intros, parts, ctas):
            rng.shuffle(pool)
        if template == "ugc-review":
            hooks = [h for h in hooks if "?" in h] + [h for h in hooks if "?" not in h]
        target = word_budget(duration, lang)
        options = {
            "hook": [(h,) for h in hooks[: self.max_options]],
            "problem": [(), *(tuple(c) for n in (1, 2)
                              for c in itertools.permutations(problems[:3], n)),
                        tuple(problems[:3])],
            "product": [(i, *c) for i in intros[:2] for n in range(0, min(4, len(parts)) + 1)
                        for c in itertools.combinations(parts[:5], n)],
            "proof": [(), *(tuple(c) for n in (1, 2)
                            for c in itertools.permutations(proofs[:4], n)),
                      tuple(proofs[:3]), tuple(proofs[:4])],
            "cta": [(c,) for c in ctas[:4]],
        }
        best = self._best(options, target)
        lines = tuple(ScriptLine(section, text) for section, chosen in zip(SECTIONS, best,
                                                                           strict=True)
                      for text in chosen)
        return Script(lines=lines, language=lang)

    @staticmethod
    def _part(part: Part, bank: dict, lang: str) -> str:
        pattern = bank["part"][part.kind]
        text = part.text.rstrip(".!")
        return pattern.format(x=_lower_first(text, lang), X=text[:1].upper() + text[1:])

    @staticmethod
    def _best(options: dict[str, list[tuple[str, ...]]], target: int) -> tuple:
        """The combination closest to ``target`` words; among equals the one with a problem
        and a proof (a full arc) and the earliest (the shuffled, preferred) options."""
        sized = {key: [(sum(_count(t) for t in opt), opt) for opt in opts]
                 for key, opts in options.items()}
        # The product section has the most combinations: index it by length, and for each
        # combination of the other sections take the product option that lands closest.
        by_length: dict[int, tuple[str, ...]] = {}
        for n, opt in sized["product"]:
            by_length.setdefault(n, opt)
        lengths = sorted(by_length)
        best_key: tuple | None = None
        best: tuple = ()
        others = [s for s in SECTIONS if s != "product"]
        for combo in itertools.product(*(sized[s] for s in others)):
            words = sum(n for n, _ in combo)
            need = target - words
            n = min(lengths, key=lambda length: (abs(length - need), -length))
            missing_arc = sum(1 for (count, _), s in zip(combo, others, strict=True)
                              if count == 0 and s in ("problem", "proof"))
            key = (abs(words + n - target), missing_arc if target >= 30 else 0)
            if best_key is None or key < best_key:
                chosen = dict(zip(others, (opt for _, opt in combo), strict=True))
                chosen["product"] = by_length[n]
                best_key, best = key, tuple(chosen[s] for s in SECTIONS)
                if key == (0, 0):
                    break
        return best


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouyáéíóúàèìòùâêîôûäëïöüœæ]+", word.casefold())
    return max(1, len(groups))


def timed_words(script: Script, *, start: float, end: float) -> list[TimedWord]:
    """Each word's time on screen between ``start`` and ``end``: in proportion to its
    syllables, with a breath after commas and a pause after sentences."""
    words = script.words
    weights = []
    for word, _section in words:
        weight = float(_syllables(word)) + 0.6
        if word[-1:] in ".!?":
            weight += 1.1
        elif word[-1:] in ",;:":
            weight += 0.5
        weights.append(weight)
    total = sum(weights) or 1.0
    span = max(0.1, end - start)
    out, at = [], start
    for (word, section), weight in zip(words, weights, strict=True):
        length = span * weight / total
        out.append(TimedWord(text=word, section=section, start=at, end=at + length))
        at += length
    return out
