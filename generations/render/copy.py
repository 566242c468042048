"""The copywriter: headline, body and CTA from brand DNA, product, copy angle and tone.

``LocalCopywriter`` works offline from phrase banks (English, Spanish, French, German). Other
languages fall back honestly: headline and body are composed from the brand's own strings
(tagline, value props, product description, already in its language) and a translated CTA.
A chat model can replace it later through the :class:`CopyProvider` protocol.
"""

from __future__ import annotations

import random
import zlib
from typing import Protocol

from .specs import BrandSpec, Copy, ProductSpec

H = {  # headline patterns per language and angle; {p}=product, {b}=benefit, {n}=brand
    "en": {
        "pain + solution": ["Tired of {pain}? Meet {p}", "Skip {pain}. Try {p}",
                            "Goodbye {pain}, hello {p}", "The fix you were looking for",
                            "Done settling for {pain}?", "Finally, a better {p}"],
        "benefit outcome": ["{B}, every single day", "{B}. Finally.", "{B}, done right",
                            "{B} and it shows", "Your {p}, {b}", "Better days start here"],
        "sensory": ["Feel the difference", "Silky, light, yours", "Pure comfort in every drop",
                    "Made to be savoured", "A little luxury, daily", "Rich, smooth, unforgettable"],
        "transformation": ["From {pain} to {p}", "See the change", "Results you can see",
                           "Transform your routine", "The upgrade you'll notice",
                           "Before and after {p}"],
        "ritual": ["Your new daily ritual", "Three steps, every day", "Make it your moment",
                   "The ritual you'll crave", "Slow down with {p}", "Start every day right"],
        "social proof": ["Loved by thousands", "The {p} everyone talks about",
                         "5 stars for a reason", "Our bestseller, for good reason",
                         "Join 10,000+ happy customers", "Rated 4.9 by real customers"],
    },
    "es": {
        "pain + solution": ["¿Cansado de {pain}? Prueba {p}", "Adiós {pain}, hola {b}",
                            "Se acabó {pain}", "La solución para {pain}"],
        "benefit outcome": ["{b}, todos los días", "Hecho para {b}", "{b} que se nota",
                            "Tu atajo hacia {b}"],
        "sensory": ["Siente la diferencia", "Suave, ligero, tuyo", "Puro placer en cada gota",
                    "Un pequeño lujo diario"],
        "transformation": ["Antes y después de {p}", "De {pain} a {b}", "Mira el cambio",
                           "Transforma tu rutina"],
        "ritual": ["Tu nuevo ritual diario", "Tres pasos hacia {b}", "Tu momento, cada día",
                   "El ritual que te encantará"],
        "social proof": ["Miles ya lo aman", "El {p} del que todos hablan",
                         "5 estrellas por algo", "Nuestro más vendido"],
    },
    "fr": {
        "pain + solution": ["Marre de {pain} ? Voici {p}", "Adieu {pain}, bonjour {b}",
                            "Fini {pain}", "La solution contre {pain}"],
        "benefit outcome": ["{b}, chaque jour", "Conçu pour {b}", "{b} visible",
                            "Votre raccourci vers {b}"],
        "sensory": ["Sentez la différence", "Soyeux, léger, à vous", "Le plaisir à chaque goutte",
                    "Un petit luxe au quotidien"],
        "transformation": ["Avant, après {p}", "De {pain} à {b}", "Voyez le changement",
                           "Transformez votre routine"],
        "ritual": ["Votre nouveau rituel", "Trois gestes vers {b}", "Un moment pour soi",
                   "Le rituel qui fait du bien"],
        "social proof": ["Adoré par des milliers", "Le {p} dont tout le monde parle",
                         "5 étoiles, et pour cause", "Notre best-seller"],
    },
    "de": {
        "pain + solution": ["Genug von {pain}? Hier ist {p}", "Tschüss {pain}, hallo {b}",
                            "Schluss mit {pain}", "Die Lösung gegen {pain}"],
        "benefit outcome": ["{b}, jeden Tag", "Gemacht für {b}", "{b}, die man sieht",
                            "Dein Weg zu {b}"],
        "sensory": ["Spür den Unterschied", "Seidig, leicht, deins", "Genuss in jedem Tropfen",
                    "Ein kleiner Luxus für jeden Tag"],
        "transformation": ["Vorher, nachher: {p}", "Von {pain} zu {b}", "Sieh den Unterschied",
                           "Verwandle deine Routine"],
        "ritual": ["Dein neues Tagesritual", "Drei Schritte zu {b}", "Dein Moment, jeden Tag",
                   "Das Ritual, das du lieben wirst"],
        "social proof": ["Tausende lieben es", "Das {p}, über das alle reden",
                         "5 Sterne aus gutem Grund", "Unser Bestseller"],
    },
}

BODY = {
    "en": ["{desc}", "{v1}. {v2}. Made by {n}.", "{p} by {n}: {v1_l} and {v2_l}.",
           "{tagline}. {v1}."],
    "es": ["{desc}", "{v1}. {v2}. Hecho por {n}.", "{p} de {n}: {v1_l} y {v2_l}."],
    "fr": ["{desc}", "{v1}. {v2}. Par {n}.", "{p} par {n} : {v1_l} et {v2_l}."],
    "de": ["{desc}", "{v1}. {v2}. Von {n}.", "{p} von {n}: {v1_l} und {v2_l}."],
}

CTA = {
    "en": ["Shop now", "Get yours", "Try it today", "Discover more", "Order now"],
    "es": ["Compra ahora", "Consíguelo", "Pruébalo hoy", "Descubre más"],
    "fr": ["Acheter", "Je craque", "Essayez-le", "Découvrir"],
    "de": ["Jetzt kaufen", "Jetzt entdecken", "Heute testen", "Mehr erfahren"],
    "it": ["Acquista ora"], "pt": ["Compre agora"], "nl": ["Shop nu"], "ar": ["تسوق الآن"],
    "he": ["קנו עכשיו"], "ja": ["今すぐ購入"], "zh": ["立即购买"], "pl": ["Kup teraz"],
}
LUXURY_CTA = {"en": "Discover", "es": "Descubrir", "fr": "Découvrir", "de": "Entdecken"}

PAIN = {"en": "the ordinary", "es": "los días apagados", "fr": "la routine terne",
        "de": "matte Tage"}
BENEFIT = {"en": "real results", "es": "resultados reales", "fr": "des résultats",
           "de": "echte Ergebnisse"}

LABELS = {
    "en": {"before": "Before", "after": "After", "others": "Ordinary"},
    "es": {"before": "Antes", "after": "Después", "others": "Otros"},
    "fr": {"before": "Avant", "after": "Après", "others": "Les autres"},
    "de": {"before": "Vorher", "after": "Nachher", "others": "Andere"},
    "ar": {"before": "قبل", "after": "بعد", "others": "العادي"},
    "he": {"before": "לפני", "after": "אחרי", "others": "רגיל"},
}

STEPS = {
    "en": ["Apply a little {p}", "Let it work for a minute", "Enjoy {b}"],
    "es": ["Aplica un poco de {p}", "Deja que actúe un minuto", "Disfruta de {b}"],
    "fr": ["Appliquez un peu de {p}", "Laissez agir une minute", "Profitez de {b}"],
    "de": ["Etwas {p} auftragen", "Eine Minute einwirken lassen", "{b} genießen"],
}

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$"}


class CopyProvider(Protocol):
    """Anything that writes copy; a chat-model adapter implements the same call."""

    def write(self, *, brand: BrandSpec, product: ProductSpec, angle: str, template_slug: str,
              avoid_headlines: frozenset[str] | set[str], seed: int,
              max_headline_words: int) -> Copy: ...


def _lang(brand: BrandSpec) -> str:
    return (brand.language or "en").split("-")[0].lower()


def _benefit(brand: BrandSpec, lang: str, index: int = 0) -> str:
    if brand.value_props:
        value = brand.value_props[index % len(brand.value_props)]
        return value[:1].lower() + value[1:] if lang != "de" else value
    return BENEFIT.get(lang, BENEFIT["en"])


def _fields(brand: BrandSpec, product: ProductSpec, lang: str, rng: random.Random) -> dict:
    props = list(brand.value_props) or [BENEFIT.get(lang, BENEFIT["en"]).capitalize()]
    rng.shuffle(props)
    v1, v2 = props[0], props[1 % len(props)]
    benefit = _benefit(brand, lang, rng.randrange(9))
    return {"p": product.name, "n": brand.name, "b": benefit, "B": _cap(benefit),
            "pain": PAIN.get(lang, PAIN["en"]), "desc": product.description.strip().rstrip("."),
            "tagline": brand.tagline.strip().rstrip("."), "v1": v1, "v2": v2,
            "v1_l": v1[:1].lower() + v1[1:], "v2_l": v2[:1].lower() + v2[1:]}


def _words(text: str) -> int:
    return len(text.split())


def _first_sentence_fit(text: str, max_words: int) -> str:
    """Shorten to whole sentences (or whole words) within ``max_words``; never mid-word."""
    sentences = [s.strip() for s in text.replace("!", ".").split(".") if s.strip()]
    out = ""
    for sentence in sentences:
        candidate = f"{out} {sentence}.".strip()
        if _words(candidate) > max_words:
            break
        out = candidate
    return out or " ".join(text.split()[:max_words]).rstrip(",;:")


class LocalCopywriter:
    """Deterministic phrase-bank copywriter (see module docstring)."""

    def write(self, *, brand: BrandSpec, product: ProductSpec, angle: str, template_slug: str,
              avoid_headlines: frozenset[str] | set[str] = frozenset(), seed: int = 0,
              max_headline_words: int = 7) -> Copy:
        lang = _lang(brand)
        key = f"{seed}:{angle}:{template_slug}:{brand.name}:{product.name}"
        rng = random.Random(zlib.crc32(key.encode()))
        fields = _fields(brand, product, lang, rng)
        avoid = {h.casefold() for h in avoid_headlines}
        if lang in H:
            headline = self._headline(lang, angle, fields, rng, avoid, max_headline_words)
            body = self._body(lang, fields, rng)
            cta = self._cta(brand, lang, rng)
        else:
            headline, body, cta = self._fallback(brand, product, rng, avoid,
                                                 max_headline_words)
        if "!" not in headline and _is_playful(brand.tone) and angle != "sensory":
            headline = headline.rstrip(".") + "!"
        return Copy(headline=headline, body=body, cta=cta)

    def _headline(self, lang, angle, fields, rng, avoid, max_words) -> str:
        patterns = list(H[lang].get(angle) or H[lang]["benefit outcome"])
        rng.shuffle(patterns)
        candidates = [_cap(p.format(**fields)) for p in patterns]
        # Other angles' lines and product-name variants keep a long job from ever repeating.
        extras = [_cap(p.format(**fields)) for a, ps in H[lang].items() if a != angle
                  for p in ps]
        rng.shuffle(extras)
        variants = [f"{c} \u2014 {fields['n']}" for c in candidates]
        for candidate in candidates + extras + variants:
            if _words(candidate) <= max_words and candidate.casefold() not in avoid:
                return candidate
        for candidate in candidates + extras + variants:
            if candidate.casefold() not in avoid:
                return candidate
        counter = 2
        while f"{candidates[0]} ({counter})".casefold() in avoid:
            counter += 1
        return f"{candidates[0]} ({counter})"

    def _body(self, lang, fields, rng) -> str:
        patterns = [p for p in BODY[lang] if all(
            fields[k] for k in ("desc", "tagline") if "{" + k + "}" in p)]
        body = rng.choice(patterns).format(**fields)
        return _first_sentence_fit(body, 16)

    def _cta(self, brand: BrandSpec, lang: str, rng: random.Random) -> str:
        if _is_luxury(brand.tone) and lang in LUXURY_CTA:
            return LUXURY_CTA[lang]
        return rng.choice(CTA[lang])

    def _fallback(self, brand, product, rng, avoid, max_words) -> tuple[str, str, str]:
        """Languages without a phrase bank: only strings the brand gave us, in its language."""
        singles = [s for s in (brand.tagline, *brand.value_props, product.name) if s]
        rng.shuffle(singles)
        # Pairs keep a long job varied without inventing words in a language we don't write.
        pairs = [f"{a} · {b}" for a in singles for b in singles if a != b]
        pool = singles + pairs or [brand.name]
        headline = next((s for s in pool if s.casefold() not in avoid
                         and _words(s) <= max_words), None)
        headline = headline or next((s for s in pool if s.casefold() not in avoid), None)
        if headline is None:
            counter = 2
            while f"{pool[0]} ({counter})".casefold() in avoid:
                counter += 1
            headline = f"{pool[0]} ({counter})"
        body = _first_sentence_fit(product.description or " · ".join(brand.value_props[:2]), 16)
        cta = CTA.get(_lang(brand), CTA["en"])[0]
        return headline, body, cta


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _is_playful(tone: str) -> bool:
    return any(w in tone.lower() for w in ("playful", "loud", "bold", "hype", "energetic"))


def _is_luxury(tone: str) -> bool:
    return any(w in tone.lower() for w in ("luxury", "premium", "refined", "elegant"))


def supported_languages() -> tuple[str, ...]:
    return tuple(H)


def ritual_steps(brand: BrandSpec, product: ProductSpec) -> list[str]:
    lang = _lang(brand)
    steps = STEPS.get(lang)
    if steps is None:
        return list(brand.value_props[:3])
    fields = {"p": product.name, "b": _benefit(brand, lang)}
    return [_cap(s.format(**fields)) for s in steps]


def labels(brand: BrandSpec) -> dict[str, str]:
    out = dict(LABELS.get(_lang(brand), LABELS["en"]))
    out["brand"] = brand.name
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
