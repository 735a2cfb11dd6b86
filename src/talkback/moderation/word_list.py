"""The listed words: better-profanity's maintained word list, less the words of civil debate.

Only the list is taken from the package. Its own matcher compares every word of a comment
with every spelling variant of every listed word: 48 ms for a 300-character comment here,
against 30 µs for the model, and the check runs on the event loop. Here a comment's words are
normalised once (`deobfuscation.py`) and looked up in a set, so the cost does not grow
with the length of the list (0.3 ms for 1,000 characters, all of de-obfuscation included).

The list was made for filtering chat, so it also names things a newsroom's readers discuss
civilly: history (nazi, hitler, reich), crime (rape, murder, molest), health and the body
(hiv, breasts, uterus), drugs (heroin, weed), identity (gay, lesbians, queer, transsexual)
and mild words (damn, hell, crap, stupid). Holding every comment on a court case or a
pride march would teach readers the filter is broken, so those are left out here; insults
and slurs outside the list are the model's job. The evaluation set
(`tests/moderation/evaluation_set.txt`) measures both sides of this choice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from importlib import resources


def _word_set(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


NOT_ABUSE = _word_set(
    # History, politics and war.
    "aryan arian nazi nazism hitler reich kkk klan napalm sniper uzi slave kill murder "
    "howtokill howtomurdep ruski gringo guido paddy pinko prig massa "
    # Crime and courts.
    "rape raped raper raping rapist molest pedophile pedophilia pedophiliac incest "
    "prostitute pimp "
    # Health, the body and medicine.
    "hiv herpes herp herpy pms menses menstruate menstruation ovary ovum ovums uterus womb "
    "urine urinal vomit pee tampon breasts nipple nipples organ oral orally rectal rectum "
    "rectus pubic testes testis scrotum labia vagina penis penile phallic erect erection "
    "schizo leper spac nude nudes naked sex sexual virgin unwed transsexual "
    "enlargement viagra valium opiate opium "
    # Drugs and drink.
    "heroin meth pcp weed hemp pot reefer ganja stoned drunk rum vodka hooch hootch "
    "junkie junky toke hookah "
    # Identity words people use of themselves.
    "gay gays lesbians lesbo queer queers homo "
    # Mild or everyday words, and words that are mostly something else.
    "damn hell god crap stupid dummy dopey doofus jerk jerked screw screwed screwing suck "
    "sucked sucking fat ugly sissy weirdo nimrod ninny prude lust lusting lusty trashy "
    "thug tramp strip stroke thrust hump humped humping wad willy willies woody wang "
    "pawn revue sandbar seaman seamen maxi len loin loins racy steamy sleaze sleazy tawdry "
    "vulgar scum smut snatch snuff souse soused spunk teat teets tush tinkle tit "
    "omg lmao lmfao wtf foobar fubar gfy gtfo stfu foad poop potty fart pasty pastie "
    "wedgie undies panty pantie panties bimbo bimbos floozy hussy vixen wench kinky horny "
    "erotic erotism fondle seduce sadism sadist masochist voyeur playboy bondage "
    "lube lech muff nob nads nad bdsm cipa buceta shamedame "
    "booty boner dink dinks dong hooter hooters homey hoar inbred hardon "
    "fingering fisted fisting fisty flange knob teez jap japs scag skag pusse "
    # Words and names with an ordinary meaning (Dick Cheney, a cock-up, cum laude, a chink
    # in the armour, Jackson Pollock, King Cnut, a nappy, a niggle, facial recognition).
    "dick cock cocks cum chink slope dyke fanny prick pollock cnut shag rump tits puss "
    "crotch gonad gonads glans semen sperm foreskin hymen clitoris phalli testicle testical "
    "vulva porn porno pornography hooker sodom weiner xxx nappy niggle yury areole anus anal "
    "cowgirl cowgirls dogging doggin facial gai pecker perversion punky scantily toots whiz "
    "titi mams penetrate penetration orgy orgies peyote extacy extasy teste testee hebe pubis "
    "bestial beastial wazoo",
)

MASKS = frozenset("*#_")


@cache
def listed_words() -> frozenset[str]:
    """The package's list, lowercased, single words only (its few phrases and spellings with
    symbols are covered by normalising the comment instead), less NOT_ABUSE."""
    text = (resources.files("better_profanity") / "profanity_wordlist.txt").read_text("utf-8")
    words = {line.strip().lower() for line in text.splitlines()}
    return frozenset(w for w in words if w.isalpha() and len(w) > 2) - NOT_ABUSE


@cache
def _by_shape() -> dict[tuple[int, str, str], tuple[str, ...]]:
    """Listed words by length, first and last letter: what a masked word ("f**k") can be."""
    shapes: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    for word in listed_words():
        shapes[len(word), word[0], word[-1]].append(word)
    return {shape: tuple(sorted(words)) for shape, words in shapes.items()}


def unmasked(token: str) -> str | None:
    """The listed word a token with masked letters stands for ("f**k", "c#nt", "sh_t").

    Its first and last letters must be shown, so "****" is nothing. When several listed
    words fit, any of them makes the token abusive; a strong root is named first, as it is
    what readers mask most ("f**k" is "fuck" rather than "fook")."""
    if len(token) < 3 or token[0] in MASKS or token[-1] in MASKS:
        return None
    candidates = _by_shape().get((len(token), token[0], token[-1]), ())
    fitting = [
        word
        for word in candidates
        if all(shown in MASKS or shown == letter for shown, letter in zip(token, word, strict=True))
    ]
    fitting.sort(key=lambda word: (word not in STRONG_ROOTS, word))
    return fitting[0] if fitting else None


STRONG_ROOTS = ("fuck", "shit", "cunt", "bitch", "whore", "slut", "wank", "twat", "piss")
"""Words that keep their meaning inside a closed compound ("shitstain", "fuckwits"), so a
compound can be split on them. Roots such as "ass", "cock" or "dick" are not here: they start
or end ordinary words (class, cocktail, Dickens)."""


_ANY_ROOT = re.compile("|".join(STRONG_ROOTS))


def compound_parts(token: str) -> tuple[str, str] | None:
    """A closed compound split at a strong root, when the rest is at least three letters."""
    if not _ANY_ROOT.search(token):
        return None
    for root in STRONG_ROOTS:
        if token.startswith(root) and len(token) - len(root) >= 3:
            return root, token[len(root) :]
        if token.endswith(root) and len(token) - len(root) >= 3:
            return token[: -len(root)], root
    return None


INSULTS = _word_set(
    "idiot imbecile cretin moron buffoon halfwit dimwit nitwit dunce numpty dumbo",
    "loser scumbag creep hag clown dumb stupid brainless spineless",
)
"""Words of abuse made of plain language, our own list: the model scores some of them low
("buffoon", "cretin", "hag"). Each is also an ordinary word ("mission creep", "I felt an
idiot", "a pathetic turnout"), so `addressed_insults` counts them only in a comment that
speaks to someone."""

SECOND_PERSON = _word_set("you your you're youre yourself yourselves ya ye u ur")


def singular(word: str) -> str | None:
    """A plural's listed singular ("wetbacks"), so the list need not spell both."""
    if word.endswith("s") and (stem := word[:-1]) in listed_words():
        return stem
    return None
