"""The copywriter: headline, body and CTA from brand DNA, product, copy angle and tone.

``LocalCopywriter`` works offline. It parses the Brand DNA into typed parts (a value prop that
starts with a verb is an *outcome*, "Fragrance-free" or "Direct from family-run gardens" is a
*benefit* modifier, "Single-origin arabica" a *material*, "Vegan formula" a *feature*, "Every
morning" a *ritual*) and writes each part through sentence patterns that are grammatical for
that kind, so a value prop is always used whole and never pasted into a frame that does not
fit its grammar. Headline banks exist per angle and per template role (a testimonial gets a
quote and an attribution, a ritual template real steps, a comparison two sides), in English,
Spanish, French and German. Other languages (Arabic, Hebrew, CJK, ...) are written only from
the brand's own strings, in its language, with a translated CTA.

Copy is written to each slot's capacity (:mod:`.capacity`): characters and lines at the
smallest readable size, per aspect class. Every text is whole sentences or whole phrases:
:func:`shorter_variants` is what re-layout tries before smaller type, and it only drops whole
sentences or clauses. A chat model can replace the writer through :class:`CopyProvider`.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass
from typing import Protocol

from .capacity import slot_capacity
from .specs import BrandSpec, Copy, ProductSpec

# --------------------------------------------------------------------------- categories
# A product category gives the writer the nouns a copywriter would use: the unit ("every
# cup"), the moment ("better mornings"), what the thing is compared with, and real steps.
CATEGORY_WORDS = {
    "coffee": ("coffee", "espresso", "roast", "bean", "brew", "latte", "tea", "matcha",
               "cacao", "cafe", "café", "kaffee", "té", "thé"),
    "skincare": ("serum", "cream", "skin", "lotion", "balm", "spf", "cleanser", "moistur",
                 "face", "glow", "derma", "peau", "piel", "haut", "toner", "mask"),
    "apparel": ("hoodie", "tee", "shirt", "jacket", "sneaker", "denim", "cotton", "wear",
                "dress", "jeans", "knit", "wool", "streetwear", "apparel", "fleece"),
    "food": ("snack", "chocolate", "granola", "sauce", "cookie", "bake", "flavour", "flavor",
             "taste", "honey", "jam", "crisp", "biscuit"),
}

CATEGORY = {
    "en": {
        "coffee": {"unit": "cup", "moment": "morning", "noun": "coffee",
                   "ritual": "morning ritual",
                   "steps": ["Grind the beans fresh", "Brew it slow", "Savour the first sip"],
                   "sensory": ["Savour every sip", "Rich, smooth, unforgettable",
                               "Made to be savoured", "Slow down and taste it"]},
        "skincare": {"unit": "drop", "moment": "routine", "noun": "skincare",
                     "ritual": "skincare ritual",
                     "steps": ["Cleanse your skin", "Apply a few drops", "Let it sink in"],
                     "sensory": ["Silky, light, yours", "Pure comfort in every drop",
                                 "Feel the difference", "Gentle from the first drop"]},
        "apparel": {"unit": "wear", "moment": "day", "noun": "streetwear",
                    "ritual": "everyday uniform",
                    "steps": ["Pick your fit", "Wear it your way", "Repeat tomorrow"],
                    "sensory": ["Soft where it counts", "Feel the weight of quality",
                                "Built to be lived in", "Made to feel this good"]},
        "food": {"unit": "bite", "moment": "break", "noun": "snacking",
                 "ritual": "afternoon treat",
                 "steps": ["Open the pack", "Share, or don't", "Savour every bite"],
                 "sensory": ["Savour every bite", "Rich, bold, delicious",
                             "Made to be savoured", "Taste the difference"]},
        "default": {"unit": "use", "moment": "day", "noun": "the ordinary",
                    "ritual": "daily ritual",
                    "steps": ["Pick your moment", "Make it yours", "Enjoy the difference"],
                    "sensory": ["Feel the difference", "A little luxury, daily",
                                "Made to be enjoyed", "Quality you can feel"]},
    },
    "es": {
        "coffee": {"steps": ["Muele el grano al momento", "Prepáralo con calma",
                             "Disfruta el primer sorbo"], "noun": "el café"},
        "skincare": {"steps": ["Limpia tu piel", "Aplica unas gotas", "Deja que se absorba"],
                     "noun": "el cuidado de la piel"},
        "apparel": {"steps": ["Elige tu talla", "Llévalo a tu manera", "Repite mañana"],
                    "noun": "la ropa"},
        "food": {"steps": ["Abre el paquete", "Compártelo, o no", "Saborea cada bocado"],
                 "noun": "los snacks"},
        "default": {"steps": ["Elige tu momento", "Hazlo tuyo", "Disfruta la diferencia"],
                    "noun": "lo de siempre"},
    },
    "fr": {
        "coffee": {"steps": ["Moulez le grain minute", "Infusez sans vous presser",
                             "Savourez la première gorgée"], "noun": "le café"},
        "skincare": {"steps": ["Nettoyez votre peau", "Appliquez quelques gouttes",
                               "Laissez pénétrer"], "noun": "les soins"},
        "apparel": {"steps": ["Choisissez votre taille", "Portez-le à votre façon",
                              "Recommencez demain"], "noun": "les vêtements"},
        "food": {"steps": ["Ouvrez le paquet", "Partagez, ou pas", "Savourez chaque bouchée"],
                 "noun": "les en-cas"},
        "default": {"steps": ["Choisissez votre moment", "Faites-en le vôtre",
                              "Profitez de la différence"], "noun": "l'ordinaire"},
    },
    "de": {
        "coffee": {"steps": ["Bohnen frisch mahlen", "In Ruhe aufbrühen",
                             "Den ersten Schluck genießen"], "noun": "Kaffee"},
        "skincare": {"steps": ["Haut reinigen", "Ein paar Tropfen auftragen",
                               "Einziehen lassen"], "noun": "Hautpflege"},
        "apparel": {"steps": ["Passform wählen", "Auf deine Art tragen", "Morgen wieder"],
                    "noun": "Kleidung"},
        "food": {"steps": ["Packung öffnen", "Teilen – oder nicht", "Jeden Bissen genießen"],
                 "noun": "Snacks"},
        "default": {"steps": ["Deinen Moment wählen", "Zu deinem machen",
                              "Den Unterschied genießen"], "noun": "das Gewöhnliche"},
    },
}

# --------------------------------------------------------------------------- headline banks
# {p} product name (a proper noun: grammatical anywhere a noun phrase is), {n} brand name,
# category words {unit} {moment} {noun} {ritual}; {part} a whole value prop (benefit/outcome).
H = {
    "en": {
        "pain + solution": ["Meet {p}", "Skip the ordinary. Try {p}", "Done settling? Meet {p}",
                            "Stop settling for less", "Ordinary is over",
                            "The upgrade you were waiting for"],
        "benefit outcome": ["{part}", "{p}, done right", "Better {moment}s start with {p}",
                            "Made for better {moment}s", "Feel the {n} difference",
                            "Everything {p} should be"],
        "sensory": ["{sensory}", "A little luxury, every day", "Made to be enjoyed",
                    "Feel the difference"],
        "transformation": ["From ordinary to {p}", "See the change", "Transform your {moment}",
                           "The upgrade you'll notice", "Your {moment}, transformed",
                           "Before and after {p}"],
        "ritual": ["Your new {ritual}", "Make it your moment", "Slow down with {p}",
                   "Start every day right", "The {ritual} you'll keep",
                   "A {moment} worth waiting for"],
        "social proof": ["Loved by our customers", "The {p} people talk about",
                         "See why people switch to {p}", "Our bestseller, for good reason",
                         "Customers keep coming back", "Why everyone asks about {p}"],
    },
    "es": {
        "pain + solution": ["Conoce {p}", "Olvida lo de siempre. Prueba {p}",
                            "Se acabó conformarse", "La mejora que esperabas"],
        "benefit outcome": ["{part}", "{p}, bien hecho", "La diferencia {n}",
                            "Todo lo que {p} debe ser"],
        "sensory": ["Siente la diferencia", "Suave, ligero, tuyo", "Un pequeño lujo diario",
                    "Hecho para disfrutar"],
        "transformation": ["Antes y después de {p}", "Mira el cambio", "Transforma tu rutina",
                           "De lo normal a {p}"],
        "ritual": ["Tu nuevo ritual diario", "Tu momento, cada día", "Tómate tu tiempo con {p}",
                   "Empieza bien cada día"],
        "social proof": ["Nuestros clientes lo adoran", "El favorito de nuestros clientes",
                         "Descubre por qué eligen {p}", "Nuestro más vendido"],
    },
    "fr": {
        "pain + solution": ["Découvrez {p}", "Oubliez l'ordinaire. Essayez {p}",
                            "Fini les compromis", "Le changement que vous attendiez"],
        "benefit outcome": ["{part}", "{p}, tout simplement", "La différence {n}",
                            "Tout ce que {p} doit être"],
        "sensory": ["Sentez la différence", "Soyeux, léger, à vous", "Un petit luxe au quotidien",
                    "Fait pour être savouré"],
        "transformation": ["Avant, après {p}", "Voyez le changement", "Transformez votre routine",
                           "De l'ordinaire à {p}"],
        "ritual": ["Votre nouveau rituel", "Un moment pour soi", "Prenez le temps avec {p}",
                   "Bien commencer chaque journée"],
        "social proof": ["Adoré par nos clients", "Le préféré de nos clients",
                         "Pourquoi on choisit {p}", "Notre best-seller"],
    },
    "de": {
        "pain + solution": ["Das ist {p}", "Schluss mit Kompromissen", "Genug vom Gewöhnlichen",
                            "Nie mehr Mittelmaß", "Besser geht's",
                            "Das Upgrade, auf das du gewartet hast"],
        "benefit outcome": ["{part}", "{p}, richtig gemacht", "Der {n}-Unterschied",
                            "Alles, was {p} sein soll"],
        "sensory": ["Spür den Unterschied", "Seidig, leicht, deins", "Einfach genießen",
                    "Ein kleiner Luxus für jeden Tag", "Gemacht zum Genießen"],
        "transformation": ["Vorher, nachher: {p}", "Sieh den Unterschied",
                           "Verwandle deine Routine", "Vom Gewöhnlichen zu {p}"],
        "ritual": ["Dein neues Tagesritual", "Dein Moment, jeden Tag", "Nimm dir Zeit für {p}",
                   "Jeder Tag beginnt besser", "Dein Ritual"],
        "social proof": ["Unsere Kundschaft liebt es", "Der Liebling unserer Kundschaft",
                         "Darum wechseln alle zu {p}", "Unser Bestseller", "Oft gelobt"],
    },
}

# Template roles get their own shapes; a role bank is used for every angle on that template.
ROLE_OF_TEMPLATE = {"testimonial-card": "testimonial", "ritual-steps": "ritual",
                    "comparison": "comparison", "ugc-caption": "ugc"}
ROLE_H = {
    "en": {
        "testimonial": ["{p} is now part of my {moment}", "I didn't expect to love {p} this much",
                        "Honestly, {p} changed my {moment}", "I keep coming back to {p}",
                        "{p} is the real deal", "I tell everyone about {p}"],
        "ritual": ["Your {ritual} in three steps", "Three steps to a better {moment}",
                   "Three steps, then enjoy", "Make {p} your {ritual}"],
        "comparison": ["{p} vs. the rest", "Why people switch", "There's {noun}, and there's {p}",
                       "See the difference"],
        "ugc": ["Okay, {p} lives up to the hype", "My {moment} just got better",
                "I finally tried {p}", "Adding {p} to my {moment}"],
    },
    "es": {
        "testimonial": ["{p} ya es parte de mi día", "No esperaba que {p} me gustara tanto",
                        "Siempre vuelvo a {p}"],
        "ritual": ["Tu ritual en tres pasos", "Tres pasos y a disfrutar"],
        "comparison": ["{p} contra el resto", "Por qué la gente cambia", "Mira la diferencia"],
        "ugc": ["Por fin probé {p}", "{p} está a la altura"],
    },
    "fr": {
        "testimonial": ["{p} fait partie de mon quotidien",
                        "Je ne pensais pas aimer {p} autant", "Je reviens toujours à {p}"],
        "ritual": ["Votre rituel en trois gestes", "Trois gestes, et c'est tout"],
        "comparison": ["{p} face aux autres", "Pourquoi on change", "Voyez la différence"],
        "ugc": ["J'ai enfin testé {p}", "{p} tient ses promesses"],
    },
    "de": {
        "testimonial": ["{p} gehört jetzt zu meinem Alltag",
                        "Ich hätte nicht gedacht, dass ich {p} so liebe",
                        "Ich komme immer wieder zu {p} zurück"],
        "ritual": ["Dein Ritual in drei Schritten", "Drei Schritte, dann genießen"],
        "comparison": ["{p} gegen den Rest", "Darum wechseln so viele", "Sieh den Unterschied"],
        "ugc": ["Endlich {p} getestet", "{p} hält, was es verspricht"],
    },
}
REVIEWERS = ("Maya R.", "Jonas K.", "Priya S.", "Léa M.", "Sam T.", "Nora B.")
ATTRIBUTION = {"en": "{who}, verified customer", "es": "{who}, cliente verificada",
               "fr": "{who}, cliente vérifiée", "de": "{who}, verifizierte Kundin"}

CTA = {
    "en": ["Shop now", "Get yours", "Try it today", "Discover more", "Order now"],
    "es": ["Compra ahora", "Consíguelo", "Pruébalo hoy", "Descubre más"],
    "fr": ["Acheter", "Je craque", "Essayez-le", "Découvrir"],
    "de": ["Jetzt kaufen", "Jetzt entdecken", "Heute testen", "Mehr erfahren"],
    "it": ["Acquista ora"], "pt": ["Compre agora"], "nl": ["Shop nu"], "ar": ["تسوق الآن"],
    "he": ["קנו עכשיו"], "ja": ["今すぐ購入"], "zh": ["立即购买"], "ko": ["지금 구매하기"],
    "pl": ["Kup teraz"],
}
LUXURY_CTA = {"en": "Discover", "es": "Descubrir", "fr": "Découvrir", "de": "Entdecken"}

LABELS = {
    "en": {"before": "Before", "after": "After", "others": "Ordinary", "ours": "Ours"},
    "es": {"before": "Antes", "after": "Después", "others": "Otros", "ours": "El nuestro"},
    "fr": {"before": "Avant", "after": "Après", "others": "Les autres", "ours": "Le nôtre"},
    "de": {"before": "Vorher", "after": "Nachher", "others": "Andere", "ours": "Unseres"},
    "ar": {"before": "قبل", "after": "بعد", "others": "العادي", "ours": "منتجنا"},
    "he": {"before": "לפני", "after": "אחרי", "others": "רגיל", "ours": "שלנו"},
    "ja": {"before": "使用前", "after": "使用後", "others": "ほかの製品", "ours": "私たち"},
    "zh": {"before": "使用前", "after": "使用后", "others": "普通产品", "ours": "我们的"},
    "ko": {"before": "사용 전", "after": "사용 후", "others": "일반 제품", "ours": "우리 제품"},
}

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$"}

# --------------------------------------------------------------------------- parsing the DNA
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


VERBS = _wordset("""
adds absorbs balances blocks boosts brews brightens builds calms cares clears comforts cools
delivers energises energizes feeds fights fits gives glows grows heals helps hydrates improves
keeps lasts lifts locks makes nourishes powers protects refreshes renews repairs restores
saves smooths soothes softens strengthens supports sustains tastes tightens transforms warms
wakes washes works gets brings turns lets stays""")
MODIFIER_HEADS = _wordset("""
from with without in for by direct straight free made hand handmade grown built sourced brewed
roasted crafted designed tested approved certified packed loved trusted ethically responsibly
locally small slow fresh freshly always never ready easy gentle light""")
MATERIAL_WORDS = _wordset("""
cotton wool linen silk leather glass steel bamboo hemp arabica robusta beans cacao cocoa oat
oats shea aloe vitamin niacinamide retinol peptides ceramides hyaluronic botanicals oils oil
organic recycled merino cashmere denim fleece""")
RITUAL_WORDS = _wordset("morning mornings daily every ritual routine evening night nightly "
                        "weekend")
CLAUSE_WORDS = _wordset("and but so which that because while where when in on at every all "
                        "y pero que con en para et mais qui avec pour und aber die der das mit für")
ADJECTIVE_SUFFIXES = ("-free", "-friendly", "-proof", "-safe", "ful", "less", "ous", "ive",
                      "able", "ible", "-tested")


@dataclass(frozen=True)
class Part:
    """One value prop, used whole; ``kind`` decides which sentence patterns may carry it."""

    text: str
    kind: str  # outcome | benefit | material | ritual | feature


def classify(text: str) -> str:
    words = [w.strip(",.!;:").casefold() for w in text.split()]
    if not words:
        return "feature"
    head = words[0]
    if head in VERBS:
        return "outcome"
    if any(w in RITUAL_WORDS for w in words):
        return "ritual"
    tail = words[-1]
    adjective = head.endswith(ADJECTIVE_SUFFIXES) and (
        len(words) == 1 or words[1] in MODIFIER_HEADS or words[1] in ("and", "to", "on", "at"))
    if head in MODIFIER_HEADS or adjective or (
            head.endswith("ed") and len(head) > 4) or (
            len(words) <= 3 and tail.endswith("ed") and len(tail) > 4):
        return "benefit"
    if any(w in MATERIAL_WORDS for w in words):
        return "material"
    return "feature"


def parts_of(brand: BrandSpec) -> list[Part]:
    seen: set[str] = set()
    out = []
    for raw in brand.value_props:
        text = " ".join(str(raw).split()).strip().rstrip(".!;:,")
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(Part(text, classify(text)))
    return out


def category_of(brand: BrandSpec, product: ProductSpec) -> str:
    haystack = " ".join((product.name, product.description, brand.tagline,
                         " ".join(brand.value_props), brand.name)).casefold()
    scores = {name: sum(haystack.count(w) for w in words)
              for name, words in CATEGORY_WORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else "default"


# --------------------------------------------------------------------------- helpers
def _lang(brand: BrandSpec) -> str:
    return (brand.language or "en").split("-")[0].lower()


def _key(text: str) -> str:
    """What makes two lines "the same line": case and end punctuation do not count."""
    return " ".join(text.casefold().rstrip(".!?…。！？ ").split())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str, lang: str) -> str:
    """Lower-case a phrase's first letter to use it mid-sentence, unless it is an acronym or
    the language capitalises nouns (German)."""
    if lang == "de" or len(text) < 2 or not text[1:2].islower():
        return text
    return text[:1].lower() + text[1:]


def _is_playful(tone: str) -> bool:
    return any(w in tone.lower() for w in ("playful", "loud", "bold", "hype", "energetic"))


def _is_luxury(tone: str) -> bool:
    return any(w in tone.lower() for w in ("luxury", "premium", "refined", "elegant"))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text and text[-1] in ".!?…。！？" else f"{text}."


def sentences(text: str) -> list[str]:
    """Whole sentences of ``text`` (terminal punctuation kept)."""
    pieces = re.findall(r"[^.!?。！？]+[.!?。！？]*", text.strip())
    return [p.strip() for p in pieces if p.strip()]


def shorter_variants(text: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """Shorter versions of ``text``, longest first, each made of whole sentences or whole
    clauses (cut only at a sentence or clause boundary, never inside a phrase). A variant that
    is only one of ``exclude`` (the product or brand name on its own) says nothing: skipped."""
    text = " ".join(text.split())
    out: list[str] = []
    said_nothing = {_key(e) for e in exclude if e}

    def add(candidate: str) -> None:
        candidate = candidate.strip().rstrip(",;:—–-").strip()
        if (candidate and candidate != text and candidate not in out and len(candidate) > 1
                and _key(candidate) not in said_nothing):
            out.append(candidate)

    parts = sentences(text)
    if not parts:
        return []
    for keep in range(len(parts) - 1, 0, -1):
        add(" ".join(parts[:keep]))
    first = parts[0]
    ending = first[-1] if first[-1] in ".!?。！？" else ""
    core = first.rstrip(".!?。！？")
    # Clause boundaries: an appositive dash, a colon, or a comma before a clause that starts
    # with a preposition or participle (", roasted in small batches"). A comma inside a list
    # of adjectives ("A dark, syrupy blend") and an "and" inside a noun phrase are not.
    for separator in (" — ", " – ", ": ", " : ", ", "):
        pieces = core.split(separator)
        for cut in range(len(pieces) - 1, 0, -1):
            head, tail = separator.join(pieces[:cut]), separator.join(pieces[cut:])
            if separator.strip() == ":" and len(tail.split()) >= 2:
                add(_sentence(_cap(tail)) if ending else _cap(tail))
            starter = tail.split()[0].casefold() if tail.split() else ""
            if separator == ", " and not (len(head.split()) >= 3 and _starts_clause(starter)):
                continue
            add(head + ending)
    return sorted(out, key=len, reverse=True)


_CJK_TEXT = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _starts_clause(word: str) -> bool:
    return (word in MODIFIER_HEADS or word in CLAUSE_WORDS or (word.endswith(("ed", "ing"))
            and len(word) > 4))


def _fits(text: str, capacity: tuple[int, int, int]) -> bool:
    chars, _lines, per_line = capacity
    longest = max((len(word) for word in text.split()), default=0)
    if _CJK_TEXT.search(text):
        longest = min(longest, 2)  # Chinese and Japanese wrap between any two characters
    return len(text) <= chars and longest <= per_line


# --------------------------------------------------------------------------- bodies
BODY_PATTERNS = {  # one sentence per part kind; {P} product, {x} the part mid-sentence
    "en": {"outcome": "{P} {x}.", "benefit": "{P}, {x}.", "material": "Made with {x}.",
           "ritual": "{X}, with {P}.", "feature": "{X}, in every {unit}."},
    "es": {"outcome": "{P}: {x}.", "benefit": "{P}: {x}.", "material": "Con {x}.",
           "ritual": "{X}, con {P}.", "feature": "{X}."},
    "fr": {"outcome": "{P} : {x}.", "benefit": "{P} : {x}.", "material": "Avec {x}.",
           "ritual": "{X}, avec {P}.", "feature": "{X}."},
    "de": {"outcome": "{P}: {x}.", "benefit": "{P}: {x}.", "material": "Mit {x}.",
           "ritual": "{X}, mit {P}.", "feature": "{X}."},
}
JOIN_PAIR = {"en": "{P} {a} and {b}.", "es": "{P}: {a} y {b}.", "fr": "{P} : {a} et {b}.",
             "de": "{P}: {a} und {b}."}
JOIN_MOD = {"en": "{P}: {a} and {b}.", "es": "{P}: {a} y {b}.", "fr": "{P} : {a} et {b}.",
            "de": "{P}: {a} und {b}."}


def part_sentence(part: Part, *, product: str, lang: str, unit: str) -> str:
    pattern = BODY_PATTERNS[lang][part.kind]
    material = part.kind == "material" and part.text.split()[0].casefold() in MODIFIER_HEADS
    if material:
        pattern = "{X}."
    return pattern.format(P=product, x=_lower_first(part.text, lang), X=_cap(part.text),
                          unit=unit)


def body_candidates(*, parts: list[Part], product: ProductSpec, lang: str, unit: str,
                    exclude: str = "") -> list[str]:
    """Every body the writer may use, each whole sentences, most informative first."""
    usable = [p for p in parts if p.text.casefold() != exclude.casefold()]
    out: list[str] = []
    if lang in BODY_PATTERNS:
        for a in usable:
            for b in usable:
                if a is b or a.kind != b.kind:
                    continue
                if a.kind == "outcome":
                    out.append(JOIN_PAIR[lang].format(P=product.name, a=_lower_first(a.text, lang),
                                                      b=_lower_first(b.text, lang)))
                elif a.kind == "benefit":
                    out.append(JOIN_MOD[lang].format(P=product.name, a=_lower_first(a.text, lang),
                                                     b=_lower_first(b.text, lang)))
        singles = [part_sentence(p, product=product.name, lang=lang, unit=unit) for p in usable]
        bare = {_sentence(_cap(p.text)) for p in usable}
        for first in singles:
            for second in singles:
                # Two sentences read written when they do not both start the same way and are
                # not two bare fragments in a row ("Vegan. Fragrance-free.").
                if (first != second
                        and not (first.startswith(product.name)
                                 and second.startswith(product.name))
                        and not (first in bare and second in bare)):
                    out.append(f"{first} {second}")
        out += singles
    description = " ".join(product.description.split())
    if description:
        whole = sentences(description)
        for keep in range(len(whole), 0, -1):
            out.append(_sentence(" ".join(whole[:keep])))
    if lang not in BODY_PATTERNS:
        out += [p.text for p in usable]
    return list(dict.fromkeys(c for c in out if c and c.casefold() != exclude.casefold()))


# --------------------------------------------------------------------------- the writer
class CopyProvider(Protocol):
    """Anything that writes copy; a chat-model adapter implements the same call."""

    def write(self, *, brand: BrandSpec, product: ProductSpec, angle: str, template_slug: str,
              avoid_headlines: frozenset[str] | set[str], seed: int,
              max_headline_words: int,
              aspect_classes: tuple[str, ...] = ("tall", "portrait")) -> Copy: ...


class LocalCopywriter:
    """Deterministic pattern copywriter (see module docstring)."""

    def write(self, *, brand: BrandSpec, product: ProductSpec, angle: str, template_slug: str,
              avoid_headlines: frozenset[str] | set[str] = frozenset(), seed: int = 0,
              max_headline_words: int = 7,
              aspect_classes: tuple[str, ...] = ("tall", "portrait")) -> Copy:
        lang = _lang(brand)
        key = f"{seed}:{angle}:{template_slug}:{brand.name}:{product.name}"
        rng = random.Random(zlib.crc32(key.encode()))
        avoid = {_key(h) for h in avoid_headlines}
        script = script_of(brand, product)
        headline_cap = slot_capacity(template_slug, "headline", script, aspect_classes)
        body_cap = slot_capacity(template_slug, "body", script, aspect_classes)
        parts = parts_of(brand)
        role = ROLE_OF_TEMPLATE.get(template_slug, "")
        if lang in H:
            words = category_words(brand, product, lang)
            headline, used_part = self._headline(lang, angle, role, words, parts, brand,
                                                 product, rng, avoid, max_headline_words,
                                                 headline_cap)
            if role == "testimonial":
                body = ATTRIBUTION[lang].format(who=REVIEWERS[rng.randrange(len(REVIEWERS))])
            else:
                body = self._body(parts, product, lang, words["unit"], used_part, headline,
                                  rng, body_cap, avoid)
            cta = self._cta(brand, lang, rng)
        else:
            headline, body, cta = self._fallback(brand, product, rng, avoid,
                                                 max_headline_words, headline_cap, body_cap)
        if (lang in H and "!" not in headline and _is_playful(brand.tone)
                and angle != "sensory" and role != "testimonial"
                and headline[-1:] not in ".?" and _fits(headline + "!", headline_cap)):
            headline = headline + "!"
        return Copy(headline=headline, body=body, cta=cta)

    def _headline(self, lang, angle, role, words, parts, brand, product, rng, avoid, max_words,
                  capacity) -> tuple[str, str]:
        fields = {**words, "p": product.name, "n": brand.name}
        headline_parts = [p for p in parts if p.kind in ("benefit", "outcome", "ritual")]
        rng.shuffle(headline_parts)

        def render(patterns: list[str]) -> list[tuple[str, str]]:
            out = []
            for pattern in patterns:
                if pattern == "{part}":
                    out += [(_cap(p.text), p.text) for p in headline_parts]
                elif pattern == "{sensory}":
                    out += [(s, "") for s in words["sensory"]]
                else:
                    out.append((_cap(pattern.format(**fields)), ""))
            return out

        own = list(ROLE_H[lang][role]) if role else list(H[lang].get(angle)
                                                         or H[lang]["benefit outcome"])
        rng.shuffle(own)
        candidates = render(own)
        extras = render([p for a, ps in H[lang].items() if a != angle and not role for p in ps])
        rng.shuffle(extras)
        pool = candidates + extras
        for text, part in pool:
            if (len(text.split()) <= max_words and _fits(text, capacity)
                    and _key(text) not in avoid):
                return text, part
        for text, part in pool:
            if _key(text) not in avoid and _fits(text, capacity):
                return text, part
        # Every line that fits is taken (a very long job): the brand's own strings, then any
        # line (re-layout shortens or shrinks it), then lines signed with the brand.
        own_strings = [s.strip() for s in (brand.tagline, *(p.text for p in parts),
                                           product.name, brand.name) if s and s.strip()]
        for text in own_strings:
            if _key(text) not in avoid and _fits(text, capacity):
                return _cap(text), text
        # Then lines whose every word fits a line (smaller type can reflow them), then any.
        loose = (capacity[0] * 4, capacity[1], capacity[2])
        for text, part in [*pool, *((_cap(t), t) for t in own_strings)]:
            if _key(text) not in avoid and _fits(text, loose):
                return text, part
        for text in own_strings:
            if _key(text) not in avoid:
                return _cap(text), text
        for text, part in pool:
            if _key(text) not in avoid:
                return text, part
        for text, part in pool:
            signed = f"{text.rstrip('.!?')} \u2014 {brand.name}"
            if _key(signed) not in avoid:
                return signed, part
        return pool[0] if pool else (product.name, "")

    def _body(self, parts, product, lang, unit, used_part, headline, rng, capacity,
              avoid) -> str:
        candidates = [c for c in body_candidates(parts=parts, product=product, lang=lang,
                                                 unit=unit, exclude=used_part)
                      if _key(c) != _key(headline)]
        fitting = [c for c in candidates if _fits(c, capacity)]
        if not fitting:
            fitting = [v for c in candidates
                       for v in shorter_variants(c, exclude=(product.name,))
                       if _fits(v, capacity)]
        # A body another concept of the job already used is the last choice, not the first.
        fresh = [c for c in fitting if _key(c) not in avoid]
        fitting = fresh or fitting
        if not fitting:
            return ""
        # Prefer the fuller bodies, but vary between concepts.
        fitting.sort(key=len, reverse=True)
        top = fitting[: max(2, len(fitting) // 2)]
        return rng.choice(top)

    def _cta(self, brand: BrandSpec, lang: str, rng: random.Random) -> str:
        if _is_luxury(brand.tone) and lang in LUXURY_CTA:
            return LUXURY_CTA[lang]
        return rng.choice(CTA[lang])

    def _fallback(self, brand, product, rng, avoid, max_words, headline_cap,
                  body_cap) -> tuple[str, str, str]:
        """Languages without a phrase bank: only strings the brand gave us, in its language."""
        singles = [s.strip() for s in (brand.tagline, *brand.value_props, product.name)
                   if s and s.strip()]
        rng.shuffle(singles)
        # A quote card quotes a line (the tagline or a value prop), not the product's name.
        singles.sort(key=lambda s: s == product.name)
        pool = singles or [brand.name]
        headline = next((s for s in pool if _key(s) not in avoid
                         and len(s.split()) <= max_words and _fits(s, headline_cap)), None)
        headline = headline or next((s for s in pool if _key(s) not in avoid
                                     and _fits(s, headline_cap)), None)
        headline = headline or next((s for s in pool if _key(s) not in avoid), pool[0])
        body_pool = [c for c in body_candidates(parts=parts_of(brand), product=product,
                                                lang=_lang(brand), unit="", exclude=headline)
                     if _fits(c, body_cap)]
        body = body_pool[0] if body_pool else ""
        cta = CTA.get(_lang(brand), CTA["en"])[0]
        return headline, body, cta


def script_of(brand: BrandSpec, product: ProductSpec) -> str:
    from .fonts import detect_script

    return detect_script(" ".join((brand.name, brand.tagline, product.name,
                                   " ".join(brand.value_props))))


def category_words(brand: BrandSpec, product: ProductSpec, lang: str) -> dict:
    category = category_of(brand, product)
    english = CATEGORY["en"][category]
    local = CATEGORY.get(lang, {}).get(category, {})
    return {**english, **local}


def ritual_steps(brand: BrandSpec, product: ProductSpec) -> list[str]:
    lang = _lang(brand)
    if lang not in CATEGORY:
        return [p.text for p in parts_of(brand)[:3]]
    return list(category_words(brand, product, lang)["steps"])


def labels(brand: BrandSpec) -> dict[str, str]:
    out = dict(LABELS.get(_lang(brand), LABELS["en"]))
    # The comparison's own side is a pill label: a long brand name reads as "Ours".
    out["brand"] = brand.name if len(brand.name) <= 18 else out["ours"]
    return out


def price_text(product: ProductSpec) -> str:
    if not product.price:
        return ""
    symbol = CURRENCY_SYMBOLS.get(product.currency.upper())
    amount = product.price.rstrip("0").rstrip(".") if "." in product.price else product.price
    if "." in amount and len(amount.split(".")[1]) == 1:
        amount += "0"
    return f"{symbol}{amount}" if symbol else f"{amount} {product.currency.upper()}"


DEFAULT_PROVIDER: CopyProvider = LocalCopywriter()


def fits_slot(text: str, *, brand: BrandSpec, product: ProductSpec, template_slug: str,
              slot: str = "headline",
              aspect_classes: tuple[str, ...] = ("tall", "portrait")) -> bool:
    """Whether ``text`` fits ``slot`` of the template in every aspect class at its smallest
    readable size (what the writer checks its own lines against)."""
    capacity = slot_capacity(template_slug, slot, script_of(brand, product), aspect_classes)
    return bool(text.strip()) and _fits(text, capacity)


def mentions(text: str, terms: tuple[str, ...] | list[str]) -> bool:
    """Whether ``text`` names any of ``terms`` as whole words (or their plurals), ignoring
    case."""
    folded = text.casefold()
    return any(re.search(rf"(?<!\w){re.escape(term)}(?:s|es)?(?!\w)", folded) for term in terms)
