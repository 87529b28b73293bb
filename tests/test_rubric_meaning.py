"""Free text read for its meaning: one table per kind of failure, each in English and in French.

The kinds: word forms (stems and synonyms), clause-level meaning (negation and denial scoped to
the clause), numbers as whole words, French read with French patterns, concrete answers
(structural alternatives such as layer sizes), and confidence that sends unsure cases to review.
Then one rule for very short answers on every text part, and what `rubric-test` reports about
the phrases of a rubric. Last, `unless` words that keep a side remark from earning the idea, and
the set's rubrics on ideas described rather than named, on side remarks alone, and on
misconceptions stated with a concept's own words.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.rubric import load_rubric, score_answer
from grader.rubric.samples import Sample
from grader.rubric.text import prepare
from grader.rubric.tune import format_run, run_samples
from tests.conftest import SET_DIR

# A rubric of its own, so that these tests say what the matcher does, whatever the set's rubrics.
RUBRIC = {
    "schema_version": 1,
    "points": 2,
    "min_words": 4,
    "synonyms": {
        "unit": ["neuron*", "unit*", "neurone*"],
        "off": ["drop", "deactivate", "remove", "switch* off", "désactiver", "supprimer", "éteindre"],
        "larger_fr": ["plus grand*", "plus large*"],
    },
    "concepts": [
        {"id": "drop", "points": 0.5, "label": "units are switched off at random", "hint": "what happens to units",
         "any": ["random* @unit @off", "hasard @unit @off"]},
        {"id": "overfit", "points": 0.5, "label": "it reduces overfitting", "hint": "why it helps",
         "any": ["reduce overfitting", "réduire surapprentissage", "limiter surapprentissage"]},
        {"id": "keep", "points": 0.5, "label": "units are kept with probability 0.5", "hint": "which probability",
         "any": ["keep probability 0.5", "garder probabilité 0.5", "1x1*"]},
        {"id": "shape", "points": 0.5, "label": "the sizes shrink then grow", "hint": "the layer sizes",
         "any": [{"sizes": "down_up"}]},
    ],
    "misconceptions": [
        {"id": "code_larger", "penalty": 0.5, "contradicts": "shape", "feedback": "the code is smaller",
         "any": [{"phrase": "code larger|bigger|more|plus input", "window": 5, "scope": "clause", "lang": "en"},
                 {"phrase": "code @larger_fr entrée", "window": 5, "scope": "clause", "lang": "fr"}]},
        {"id": "at_test", "penalty": 0.5, "contradicts": "drop", "feedback": "only while training",
         "any": [{"phrase": "@unit @off test|inference|inférence", "window": 5, "scope": "clause"}]},
    ],
}


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(RUBRIC)


def found(rubric, answer: str) -> set[str]:
    return {c.id for c in score_answer(rubric, answer).found}


def mistakes(rubric, answer: str) -> set[str]:
    return {m.id for m in score_answer(rubric, answer).misconceptions if m.found}


# One concept the one-expression tables below look for, in English and French.
REDUCES_OVERFITTING = "reduc*|reduit overfit*|surapprentissage"


def credits(expression, answer: str) -> bool:
    """Whether a one-point rubric whose only concept is `expression` credits the answer."""
    rubric = load_rubric({"schema_version": 1, "points": 1, "min_words": 1, "concepts": [
        {"id": "c", "points": 1, "label": "x", "hint": "y", "any": [expression]}]})
    return score_answer(rubric, answer).points == 1


# ---------------------------------------------------------------------------------------------
# Word forms: a verb in another tense or person, a noun in another number, a synonym

WORD_FORMS = [
    ("en past tense", "Neurons are randomly dropped at each step and this reduced overfitting.", {"drop", "overfit"}),
    ("en -ing form", "Randomly removing units is a way of reducing the overfitting.", {"drop", "overfit"}),
    ("en third person", "It randomly deactivates units, which reduces overfitting.", {"drop", "overfit"}),
    ("en synonym from the rubric", "Units are switched off at random during training.", {"drop"}),
    ("fr participe passé", "Des neurones sont désactivés au hasard.", {"drop"}),
    ("fr troisième personne", "On supprime des neurones au hasard et on limite le surapprentissage.",
     {"drop", "overfit"}),
    ("fr participe présent", "En supprimant des neurones au hasard, on évite de surapprendre.", {"drop"}),
    ("fr synonyme de la grille", "Il s'agit d'éteindre des neurones au hasard pour réduire le surapprentissage.",
     {"drop", "overfit"}),
    ("fr mot composé avec trait d'union", "On supprime des neurones au hasard pour limiter le sur-apprentissage.",
     {"drop", "overfit"}),
]


@pytest.mark.parametrize("what,answer,ids", WORD_FORMS, ids=[w[0] for w in WORD_FORMS])
def test_word_forms_match_by_stem(rubric, what, answer, ids):
    assert ids <= found(rubric, answer)


@pytest.mark.parametrize("phrase", ["sur-appren*", "surappren*"])
@pytest.mark.parametrize("answer,credited", [
    ("Le dropout évite le sur-apprentissage.", True), ("Le dropout évite le surapprentissage.", True),
    ("Le réseau ne sur-apprend pas.", False), ("Le dropout évite d'apprendre sur les données.", False),
])
def test_a_prefix_written_with_a_hyphen_or_without_is_one_word(phrase, answer, credited):
    assert credits(phrase, answer) is credited


OPPOSITE_PREFIX = [  # a typo never turns a prefix into its opposite
    ("fr", "surappren*", "Le dropout évite le sous-apprentissage.", False),
    ("fr", "surappren*", "Le dropout évite le sousapprentissage.", False),
    ("fr", "surapprentissage", "Le dropout évite le sousapprentissage.", False),
    ("fr", "surapprentissage", "Le dropout évite le surapprentisage.", True),  # a real typo still counts
    ("fr", "sur-echantillon*", "Le décodeur sous-échantillonne la carte.", False),
    ("en", "supersampl*", "The decoder subsamples the map.", False),
    ("en", "hyperparameter*", "The hypoparameters are tuned.", False),
    ("en", "hyperparameter*", "The hyperparamters are tuned.", True),
]


@pytest.mark.parametrize("lang,phrase,answer,credited", OPPOSITE_PREFIX,
                         ids=[f"{r[0]}-{r[2][:30]}" for r in OPPOSITE_PREFIX])
def test_a_typo_never_turns_a_prefix_into_its_opposite(lang, phrase, answer, credited):
    assert credits(phrase, answer) is credited


def test_stems_do_not_join_unrelated_words(rubric):
    # "general" and "generate", "reduction" and "red" stay apart; a stem shorter than 3 letters counts only as written
    assert "overfit" not in found(rubric, "The red curve shows overfitting of the generated data.")


def test_a_short_stem_does_not_reach_a_longer_word():
    # "useful" stems to "use"; the misconception "dropout used at test time" must not read it so
    rubric = load_rubric(SET_DIR / "rubrics" / "p1.4.yaml")
    for answer in ("Dropout randomly drops neurons. Dropout is useful to improve test accuracy when it overfits.",
                   "Le dropout éteint des neurones au hasard ; il est utile pour améliorer la précision en test."):
        result = score_answer(rubric, answer)
        assert not [m.id for m in result.misconceptions if m.found], result.feedback


# ---------------------------------------------------------------------------------------------
# Clause-level meaning: a concept in a clause that denies it is not credited

CLAUSE_MEANING = [
    ("en later clause denies", "Units are randomly dropped, but this plays no role in reducing overfitting.",
     "drop", False),
    ("en long sentence, no role", ("Dropout randomly drops neurons during each training step of the network, "
                                   "but it has no effect on anything."), "drop", False),
    ("en negation in the clause", "It does not reduce overfitting, although units are randomly dropped.",
     "overfit", False),
    ("en negation in another clause only", "Nothing else changes, and units are randomly dropped.", "drop", True),
    ("fr la proposition suivante nie", "On désactive des neurones au hasard, mais cela ne joue aucun rôle.",
     "drop", False),
    ("fr ne sert à rien", "Des neurones sont supprimés au hasard, mais cela ne sert à rien.", "drop", False),
    ("fr négation dans la proposition", "Cela ne réduit pas le surapprentissage.", "overfit", False),
    ("fr négation ailleurs seulement", "Rien ne change au test, mais des neurones sont désactivés au hasard.",
     "drop", True),
    ("fr pas est un nom", "À chaque pas on supprime des neurones au hasard.", "drop", True),
    ("fr ne ... pas reste une négation", "À chaque étape on ne supprime pas des neurones au hasard.", "drop", False),
    ("fr le pas, puis ne ... pas", "Le pas d'apprentissage ne supprime pas des neurones au hasard.", "drop", False),
    ("en otherwise starts a clause", "Units are randomly dropped, otherwise the net does not learn well.", "drop",
     True),
    ("en a negation typed without its apostrophe", "It doesnt reduce overfitting.", "overfit", False),
    ("fr dont n'est pas une négation", "Une méthode dont le but est de réduire le surapprentissage.", "overfit",
     True),
    ("en or not is an alternative", "Each unit is dropped or not at random at every step.", "drop", True),
    ("fr ou non est une alternative", "Chaque neurone est supprimé ou non au hasard.", "drop", True),
    ("en not after or still denies", "Units are not randomly dropped, or so I think.", "drop", False),
    ("en the next sentence denies it", "Units are randomly dropped. But this plays no role at all.", "drop", False),
    ("fr la phrase suivante le nie", "Des neurones sont désactivés au hasard. Mais cela ne sert à rien.", "drop",
     False),
    ("en a denial two sentences on does not reach back",
     "Units are randomly dropped. Training takes long. But it has no effect on memory.", "drop", True),
    ("en a later clause calls it wrong", "Some say units are randomly dropped, but that's wrong.", "drop", False),
    ("fr la proposition suivante dit que c'est faux",
     "On dit que des neurones sont désactivés au hasard, mais c'est faux.", "drop", False),
    ("en not wrong affirms", "Units are randomly dropped, but that is not wrong either.", "drop", True),
    ("fr pas faux affirme", "Des neurones sont désactivés au hasard, mais ce n'est pas faux.", "drop", True),
    ("fr pas mal veut dire beaucoup", "Le dropout permet de réduire pas mal le surapprentissage.", "overfit", True),
    ("fr sinon commence une proposition", "On supprime des neurones au hasard sinon ça ne marche pas.", "drop", True),
    ("en a later clause denies it is a problem",
     "People say units are randomly dropped, but it isn't really a problem in practice.", "drop", False),
    ("fr la proposition suivante dit que ce n'est pas grave",
     "On dit que des neurones sont désactivés au hasard, mais ce n'est pas grave.", "drop", False),
    ("en a relative clause calls it false", "Some say units are randomly dropped, which is false.", "drop", False),
    ("fr une relative dit que c'est faux", "On dit que des neurones sont désactivés au hasard, ce qui est faux.",
     "drop", False),
    ("fr c'est faux sans mais", "On dit que des neurones sont désactivés au hasard, c'est faux.", "drop", False),
    ("en but that's not true", "Some say units are randomly dropped, but that's not true.", "drop", False),
    ("fr mais ce n'est pas vrai", "On dit que des neurones sont désactivés au hasard, mais ce n'est pas vrai.",
     "drop", False),
    ("en a sentence that only rejects the one before", "Are units randomly dropped? Not really.", "drop", False),
    ("fr une phrase qui rejette la précédente", "Des neurones sont désactivés au hasard ? Pas vraiment.", "drop",
     False),
    ("en I disagree", "Some say units are randomly dropped. I disagree.", "drop", False),
    ("fr je ne suis pas d'accord", "On dit que des neurones sont désactivés au hasard. Je ne suis pas d'accord.",
     "drop", False),
    ("en a later clause calls it useless", "Some say units are randomly dropped, but this is useless.", "drop",
     False),
    ("fr la proposition suivante dit que c'est inutile",
     "On dit que des neurones sont désactivés au hasard, mais c'est inutile.", "drop", False),
    ("en not because denies the reason", "It works not because units are randomly dropped, but because it is big.",
     "drop", False),
    ("fr non pas parce que nie la raison",
     "Ça marche non pas car des neurones sont désactivés au hasard, mais car il est grand.", "drop", False),
    ("en because after a negated verb starts the reason",
     "It does not overfit because units are randomly dropped.", "drop", True),
    ("en which does not matter", "Units are randomly dropped, which does not matter.", "drop", False),
    ("fr ce qui ne change rien", "Des neurones sont désactivés au hasard, ce qui ne change rien.", "drop", False),
    ("en which is fine", "Units are randomly dropped, which is fine.", "drop", False),
    ("en which is a problem for something is no dismissal",
     "Units are randomly dropped, which is a problem for small nets.", "drop", True),
    ("en which does not help says a consequence", "Units are randomly dropped, which does not help.", "drop", True),
    ("en not exactly is no verdict", "Units are randomly dropped, though it cannot bring them back exactly.", "drop",
     True),
    ("fr pas exactement n'est pas un verdict",
     "Des neurones sont désactivés au hasard, mais cela ne les remplace pas exactement.", "drop", True),
    ("en I think so affirms", "Units are randomly dropped, I think. I think so.", "drop", True),
    ("en a verdict about something else is no refutation",
     "Units are randomly dropped. This is not true for the biases.", "drop", True),
    ("fr un verdict sur autre chose ne réfute pas",
     "Des neurones sont désactivés au hasard. Ce n'est pas vrai pour les biais.", "drop", True),
    ("en it is not true that, a long subject",
     "It is not true that during training the hidden units of the network are randomly dropped.", "drop", False),
    ("fr ce n'est pas vrai que, un long sujet",
     "Ce n'est pas vrai que pendant l'entraînement les neurones cachés du réseau sont désactivés au hasard.",
     "drop", False),
    ("en wrong to think that", "It is wrong to think that units are randomly dropped.", "drop", False),
    ("fr on pense à tort que", "On pense souvent à tort que des neurones sont désactivés au hasard.", "drop",
     False),
    ("en a negation inside a refuted claim affirms",
     "It is false that units are not randomly dropped.", "drop", True),
    ("en a verdict denied is no frame", "It is not wrong to say that units are randomly dropped.", "drop", True),
    ("fr un verdict nié n'est pas un frame",
     "Ce n'est pas faux de dire que des neurones sont désactivés au hasard.", "drop", True),
    ("en so that after another word is no frame",
     "The wrong units are randomly dropped so that the network cannot rely on them.", "drop", True),
    ("fr le frame s'arrête à la fin de la proposition",
     "Ce n'est pas vrai que tout s'arrête, et des neurones sont désactivés au hasard.", "drop", True),
    ("en not a problem after so is a consequence, not a denial",
     "Units are randomly dropped, so overfitting is not a problem any more.", "drop", True),
    ("fr plus un problème après donc est une conséquence",
     "Des neurones sont désactivés au hasard, donc le surapprentissage n'est plus un problème.", "drop", True),
    ("en don't forget to puts forward what follows",
     "Don't forget to switch off random units, it helps.", "drop", True),
    ("en never forget", "Never forget that it must reduce overfitting.", "overfit", True),
    ("en not forgetting is no licence: a later negation still denies",
     "Don't forget: it does not reduce overfitting.", "overfit", False),
    ("fr n'oubliez pas de", "N'oubliez pas de désactiver des neurones au hasard.", "drop", True),
    ("fr sans oublier", "On ajoute du bruit, sans oublier de réduire le surapprentissage.", "overfit", True),
    ("fr n'hésitez pas à", "N'hésitez pas à désactiver des neurones au hasard.", "drop", True),
    ("en w/o is without", "Units are dropped at random, w/o reducing overfitting.", "overfit", False),
    ("fr w/out se lit without", "On désactive des neurones au hasard w/out réduire le surapprentissage.",
     "overfit", False),
    ("en w/ is no negation", "Units are dropped at random w/ less overfitting: it does reduce overfitting.",
     "overfit", True),
    ("fr oublier de is still denied by its own negation",
     "On oublie souvent que cela ne réduit pas le surapprentissage.", "overfit", False),
]


@pytest.mark.parametrize("what,answer,concept,credited", CLAUSE_MEANING, ids=[c[0] for c in CLAUSE_MEANING])
def test_negation_and_denial_are_scoped_to_the_clause(rubric, what, answer, concept, credited):
    assert (concept in found(rubric, answer)) is credited


# A synonym group may hold a negation among many other words ("output nothing" beside "switch*
# off"): a match through the other words is denied as any match is; a match through the negation
# keeps its meaning. A slot that stands for a negation ("not|no|plus need*") is the phrase's own.
NEGATION_IN_A_GROUP_RUBRIC = {
    "schema_version": 1, "points": 1, "min_words": 1,
    "synonyms": {"off": ["drop*", "switch* off", "eteint*", "output nothing", "renvoient rien", "zero"]},
    "concepts": [
        {"id": "drop", "points": 0.5, "label": "x", "hint": "y", "any": ["random*|hasard @off"]},
        {"id": "no_need", "points": 0.5, "label": "x", "hint": "y",
         "any": [{"phrase": "not|no|pas|plus|jamais need*|besoin gradient*", "window": 6}]},
    ],
}
NEGATION_IN_A_GROUP = [
    ("en a denial reaches a match through the group's other words",
     "Units are switched off at random, but this plays no role.", "drop", False),
    ("fr un déni atteint un mot du groupe qui n'est pas la négation",
     "Des neurones sont éteints au hasard, mais cela ne joue aucun rôle.", "drop", False),
    ("en a match through the group's negation keeps its meaning", "At random, some units output nothing.",
     "drop", True),
    ("fr un mot négatif du groupe garde son sens", "Au hasard, certains neurones ne renvoient rien.", "drop", True),
    ("en a slot of negations is the phrase's own", "The middle layers do not need a gradient.", "no_need", True),
    ("fr ne ... plus dans un emplacement de négations", "On n'a plus besoin du gradient des couches du milieu.",
     "no_need", True),
]


@pytest.mark.parametrize("what,answer,concept,credited", NEGATION_IN_A_GROUP, ids=[c[0] for c in NEGATION_IN_A_GROUP])
def test_a_negation_inside_a_synonym_group_does_not_shield_the_others(what, answer, concept, credited):
    rubric = load_rubric(NEGATION_IN_A_GROUP_RUBRIC)
    assert (concept in found(rubric, answer)) is credited


@pytest.mark.parametrize("answer,credited", [
    ("the mean = 0", True), ("la moyenne = 0", True),
    ("the mean ≠ 0", False), ("la moyenne ≠ 0", False), ("mean ≢ 0", False),
], ids=["en equal", "fr égal", "en not equal", "fr différent", "en not identical"])
def test_a_struck_through_relation_is_not_the_relation(answer, credited):
    # Folding strips accents; the stroke of "≠" is a negation and stays one ("!=").
    assert credits(r"re:\b(?:mean|moyenne)\s*=\s*0\b", answer) is credited


@pytest.mark.parametrize("answer,credited", [
    ("The outputs are not centred.", True),
    ("The outputs are not centred, but this plays no role.", False),
    ("Les sorties ne sont pas centrées, ce qui ne change rien.", False),
    ("It is false that the outputs are not centred.", False),
], ids=["en stated", "en denied later", "fr denied later", "en refuted"])
def test_a_phrase_with_its_own_negation_can_still_be_denied(answer, credited):
    assert credits("not|pas centred|centre*", answer) is credited


@pytest.mark.parametrize("answer,credited", [
    ("Le dropout n'a rien à voir avec le surapprentissage.", True),  # the pattern's own negation
    ("Dropout has nothing to do with overfitting.", True),
    ("Il est faux de dire que le dropout n'a rien à voir avec le surapprentissage.", False),  # refuted
], ids=["fr own negation", "en own negation", "fr refuted"])
def test_a_pattern_that_holds_a_negation_is_not_negated_by_it(answer, credited):
    pattern = r"re:\b(?:rien\s+a\s+voir|nothing\s+to\s+do)\b[^.]*\b(?:surapprentissage|overfitting)\b"
    assert credits(pattern, answer) is credited


# A pattern that lists "doesnt" among the words it refuses reads "doesn't" as the same word; a
# "don't" is a negation, a French "dont" is not.
CONTRACTIONS = [
    ("en apostrophe", "For small inputs it doesn't saturate.", False),
    ("en curly apostrophe", "For small inputs it doesn’t saturate.", False),
    ("en written as one word", "For small inputs it doesnt saturate.", False),
    ("en stated", "For small inputs it does saturate.", True),
    ("fr sans apostrophe anglaise", "Pour les petites entrées elle sature.", True),
]


@pytest.mark.parametrize("what,answer,credited", CONTRACTIONS, ids=[c[0] for c in CONTRACTIONS])
def test_a_contraction_reads_as_the_word_written_without_its_apostrophe(what, answer, credited):
    pattern = r"re:\b(?:small|petites?)\s+(?:inputs|entrees)\s+(?:it|elle)\s+(?!(?:doesnt|isnt|wont)\b)(?:[\w']+\s+)?satur"
    assert credits(pattern, answer) is credited


@pytest.mark.parametrize("answer,credited", [
    ("Don't keep all neurons at test time.", False),
    ("Don’t keep all neurons at test time.", False),
    ("Keep all neurons at test time.", True),
    ("We dont keep all neurons at test time.", False),
    ("Le réseau dont on garde tous les neurones au test.", True),
    ("Le réseau dont on ne garde pas les neurones au test.", False),
], ids=["en don't", "en curly don't", "en stated", "en dont without its apostrophe", "fr dont", "fr ne pas"])
def test_dont_negates_in_english_only(answer, credited):
    assert credits("keep*|garde* neuron*|neurone* test", answer) is credited


# Shorthand lists and chains: "+", "&" and an arrow between two words end a negation's reach as a
# comma does; "gradient -> 0" still reads as one claim.
SHORTHAND = [
    ("en plus", "no saturation + fast to compute", "fast|rapide comput*|calcul*", True),
    ("fr plus", "pas de saturation + calcul rapide", "fast|rapide comput*|calcul*", True),
    ("en arrow", "no saturation -> fast training", "fast|rapide train*|apprentissage", True),
    ("fr flèche", "pas de saturation → apprentissage rapide", "fast|rapide train*|apprentissage", True),
    ("en ampersand", "no vanishing gradient & cheap to compute", "cheap|rapide comput*|calcul*", True),
    ("en negated item", "fast + not cheap to compute", "cheap|rapide comput*|calcul*", False),
    ("en limit", "sigmoid: gradient -> 0 for large x", "gradient* 0|zero|nul", True),
    ("fr limite", "sigmoïde : gradient → zéro pour x grand", "gradient* 0|zero|nul", True),
]


@pytest.mark.parametrize("what,answer,expression,credited", SHORTHAND, ids=[c[0] for c in SHORTHAND])
def test_shorthand_signs_end_a_clause(what, answer, expression, credited):
    assert credits({"phrase": expression, "scope": "clause"}, answer) is credited


# A negation inside a match that denies a loss of its own says that the match holds.
LOSS_DENIED = [
    ("en without vanishing", "The gradient flows back without vanishing to the first layers.", True),
    ("fr sans s'éteindre", "Le gradient remonte sans s'éteindre jusqu'aux premières couches.", True),
    ("en without being lost", "The gradient goes without getting lost to the first layers.", True),
    ("en without reaching", "The gradient flows back without reaching the first layers.", False),
    ("fr sans atteindre", "Le gradient remonte sans atteindre les premières couches.", False),
    ("en not vanishing, then denied", "The gradient does not reach the first layers.", False),
]


@pytest.mark.parametrize("what,answer,credited", LOSS_DENIED, ids=[c[0] for c in LOSS_DENIED])
def test_a_loss_denied_inside_a_match_leaves_it_standing(what, answer, credited):
    assert credits({"phrase": "gradient* first|premieres layer*|couches", "window": 8}, answer) is credited


# Claims taken back in few words, and negations that deny something else.
TAKEN_BACK = [
    ("en not the case", "People say dropout reduces overfitting, but that's not the case.", False),
    ("fr pas le cas", "On dit que le dropout réduit le surapprentissage, mais ce n'est pas le cas.", False),
    ("en bare denial", "Dropout is said to reduce overfitting, but in fact it doesn't.", False),
    ("fr négation seule", "On dit que le dropout réduit le surapprentissage, mais en réalité non.", False),
    ("en myth", "Dropout reduces overfitting, which is a myth.", False),
    ("fr mythe", "Le dropout réduit le surapprentissage, c'est un mythe.", False),
    ("en not true of something else", "Dropout reduces overfitting, but this is not true for batch norm.", True),
    ("fr pas vrai d'autre chose", "Le dropout réduit le surapprentissage, mais ce n'est pas vrai pour la batch norm.", True),
    ("en but not something else", "Dropout reduces overfitting, but not underfitting.", True),
    ("en not true, with its reason", "People say dropout reduces overfitting, but that's not really true because "
     "the network still memorises.", False),
    ("fr pas vrai, avec sa raison", "On dit que le dropout réduit le surapprentissage, mais ce n'est pas vrai car le "
     "réseau mémorise quand même.", False),
    ("en no doubt", "There is no doubt that dropout reduces overfitting.", True),
    ("fr aucun doute", "Il ne fait aucun doute que le dropout réduit le surapprentissage.", True),
    ("en a hedge", "I'm not sure whether dropout reduces overfitting.", True),
    ("en another hedge", "Not certain, but I think dropout reduces overfitting.", True),
    ("fr une réserve", "Je ne suis pas sûr, mais le dropout réduit le surapprentissage.", True),
    ("en a hedge, then a denial", "I'm not sure, but dropout does not reduce overfitting.", False),
]


@pytest.mark.parametrize("what,answer,credited", TAKEN_BACK, ids=[c[0] for c in TAKEN_BACK])
def test_a_claim_taken_back_in_few_words(what, answer, credited):
    assert credits(REDUCES_OVERFITTING, answer) is credited


# "..., but it doesn't help" denies what came before; "..., but it doesn't help against X" is a
# claim about X of its own, and leaves what came before standing.
HELP_DENIED = [
    ("en does not help", "Dropout randomly switches off neurons, but it doesn't really help.", False),
    ("fr n'aide pas beaucoup", "Le dropout désactive des neurones au hasard, mais ça n'aide pas beaucoup.", False),
    ("en does not help against something", "Dropout randomly switches off neurons during training, but it doesn't "
     "really help against overfitting.", True),
    ("fr n'aide pas contre quelque chose", "Le dropout désactive des neurones au hasard, mais ça n'aide pas contre "
     "le surapprentissage.", True),
]


@pytest.mark.parametrize("what,answer,credited", HELP_DENIED, ids=[c[0] for c in HELP_DENIED])
def test_a_remedy_denied_with_its_own_object_leaves_what_came_before(what, answer, credited):
    assert credits("random*|hasard switch*|desactiv*", answer) is credited


# "instead of X", "rather than X", "au lieu de X", "plutôt que X" set X aside: a misconception there
# is not stated; a concept there still counts (often the other side of a comparison).
SET_ASIDE = [
    ("en instead of", "The network outputs an image instead of a single label for the whole picture.", False),
    ("en rather than", "It gives a mask rather than a single class.", False),
    ("fr au lieu de", "Le réseau sort une image au lieu d'une seule classe pour toute l'image.", False),
    ("fr plutôt que", "On obtient un masque plutôt qu'une seule classe.", False),
    ("en stated", "The network outputs a single label for the whole picture.", True),
    ("en set aside before the comma", "Instead of an image, the network outputs a single label.", True),
    ("fr écarté avant la virgule", "Au lieu d'une image, le réseau donne une seule classe.", True),
    ("en another claim after because", "It gives a mask rather than a map because it outputs a single label.", True),
    # what is set aside, with the relative clause that describes it
    ("en instead of X which", "Instead of a classifier which gives a single label, use a U-Net that outputs a mask.", False),
    ("fr plutôt que X qui", "Plutôt qu'un classifieur qui sort une seule classe, on utilise un U-Net qui sort un masque.",
     False),
    ("fr au lieu de X qui", "Au lieu d'un réseau qui donne une seule classe, on prend un U-Net, il sort un masque.", False),
    ("en a comma and which speak of the whole", "Use a U-Net instead of dropout, which gives a single label per image.",
     True),
]


@pytest.mark.parametrize("what,answer,stated", SET_ASIDE, ids=[c[0] for c in SET_ASIDE])
def test_a_misconception_set_aside_by_instead_of_is_not_stated(what, answer, stated):
    assert states_single_label(answer) is stated


def states_single_label(answer: str) -> bool:
    """Whether a one-point rubric (an image or mask out; a single label is a misconception) finds
    the misconception in the answer."""
    rubric = load_rubric({"schema_version": 1, "points": 1, "min_words": 1,
                          "concepts": [{"id": "c", "points": 1, "label": "x", "hint": "y", "any": ["image|mask|masque"]}],
                          "misconceptions": [{"id": "m", "penalty": 1, "feedback": "z",
                                              "any": ["single|seule|seul label|class|classe"]}]})
    return any(m.found for m in score_answer(rubric, answer).misconceptions)


# A right point, then a wrong one in a later sentence: the wrong one's penalty does not wipe out
# the right one, which keeps what it earned up to a quarter of the part.
RIGHT_THEN_WRONG = [
    ("en right then wrong", "Units are dropped at random during training. It also speeds up inference.", 0.5),
    ("fr juste puis faux", "On désactive des neurones au hasard pendant l'entraînement. Ça accélère aussi l'inférence.",
     0.5),
    ("en wrong then right", "It speeds up inference. Units are dropped at random during training.", 0.0),
    ("fr faux puis juste", "Ça accélère l'inférence. On désactive des neurones au hasard pendant l'entraînement.", 0.0),
    ("en one sentence", "Units are dropped at random during training, which speeds up inference.", 0.0),
]


@pytest.mark.parametrize("what,answer,points", RIGHT_THEN_WRONG, ids=[c[0] for c in RIGHT_THEN_WRONG])
def test_a_wrong_point_after_a_right_one_leaves_it_a_quarter(what, answer, points):
    rubric = load_rubric({"schema_version": 1, "points": 2, "min_words": 1,
                          "concepts": [{"id": "c", "points": 1, "label": "x", "hint": "y",
                                        "any": ["drop*|desactiv* random*|hasard"]},
                                       {"id": "d", "points": 1, "label": "x", "hint": "y", "any": ["rescal*"]}],
                          "misconceptions": [{"id": "m", "penalty": 2, "feedback": "z",
                                              "any": ["speed*|accelere* inference|inference"]}]})
    assert score_answer(rubric, answer).points == points


COMPARED = [
    ("en unlike", "Unlike a classifier, which gives a single label, a U-Net outputs a mask.", False),
    ("fr contrairement à", "Contrairement à un classifieur qui finit par des couches denses et sort une seule classe, "
     "un U-Net sort un masque.", False),
    ("en as opposed to", "As opposed to a classifier giving a single label, it outputs a mask.", False),
    ("fr à la différence de", "À la différence d'un classifieur qui sort une seule classe, il sort un masque.", False),
    ("en contrary to", "Contrary to a classifier, which gives a single label, a U-Net outputs a mask.", False),
    ("fr au contraire de", "Au contraire d'un classifieur qui sort une seule classe, un U-Net sort un masque.", False),
    ("en and ends the other side", "It outputs a mask unlike a classifier and it gives a single label per image.", True),
    ("fr et termine l'autre côté", "Il sort un masque contrairement à un classifieur et il donne une seule classe.", True),
    ("fr comparer est aussi un verbe", "La sortie, on la compare à une seule classe.", True),
    # a subject right after the compared noun, with no comma, is the sentence's own claim
    ("en a subject after the compared noun", "Unlike a U-Net it gives a single label per image.", True),
    ("fr un sujet après le nom comparé", "Contrairement à un U-Net il donne une seule classe.", True),
    ("en a pronoun inside the other side", "Unlike a classifier that turns it into a single label, a U-Net outputs "
     "a mask.", False),
    ("fr un pronom dans l'autre côté", "Contrairement à un classifieur où il sort une seule classe, un U-Net sort "
     "un masque.", False),
]


@pytest.mark.parametrize("what,answer,stated", COMPARED, ids=[c[0] for c in COMPARED])
def test_a_misconception_on_the_other_side_of_a_comparison_is_not_stated(what, answer, stated):
    assert states_single_label(answer) is stated


# What a student strikes out or takes back counts neither way: "~~X~~", "X, no wait, Y",
# "X (scratch that) Y", "X, en fait non, Y", "X ; je me corrige : Y".
CORRECTED = [
    ("en no wait", "The network outputs a single label, no wait, a mask per pixel.", False),
    ("fr en fait non", "Le réseau sort une seule classe, en fait non, un masque par pixel.", False),
    ("en scratch that", "It gives a single label (scratch that) a mask.", False),
    ("fr je me corrige", "Il donne une seule classe ; je me corrige : un masque.", False),
    ("en struck through", "It gives ~~a single label~~ a mask.", False),
    ("fr barré", "Il donne ~~une seule classe~~ un masque.", False),
    ("en only the claim before the correction", "It gives a single label for the image, then a mask, no wait, a map.",
     True),
    ("fr seulement l'affirmation corrigée", "Il donne une seule classe pour l'image, puis un masque, non attends, une "
     "carte.", True),
    ("en but no wait takes back the clause before", "At first I thought it outputs a single label, but no wait, "
     "it outputs a mask.", False),
    ("fr mais en fait non reprend la proposition d'avant", "Je pensais qu'il sort une seule classe, mais en fait "
     "non, il sort un masque.", False),
    ("en no wait inside a claim", "No wait time: the network outputs a single label.", True),
    ("fr pas de correction", "Le réseau sort une seule classe, en fait.", True),
]


# Options weighed, then one picked: the options count neither way, the pick counts.
PICKED = [
    ("en a question, then the pick", "A single label or a mask? I pick the mask.", False),
    ("fr une question, puis le choix", "Une seule classe ou un masque ? → je mets le masque.", False),
    ("en either ... or", "Either a single label or a mask; I'd go with the mask.", False),
    ("fr soit ... soit", "Soit une seule classe, soit un masque → je prends le masque.", False),
    ("en the wrong one picked", "Either a single label or a mask; I'd go with a single label.", True),
    ("fr le mauvais choix", "Un masque ou une seule classe ? Je choisis une seule classe.", True),
    ("en a long claim is no list of options", "The network gives a single label or a mask depending on what the "
     "task asks for, the data, the loss and the metric used in practice; my answer is the mask.", True),
    ("en options picked by letter", "Option A: a single label for the image. Option B: a mask. I go with B.", False),
    ("fr choix par lettre", "(a) une seule classe pour l'image, (b) un masque. Je retiens (b).", False),
    ("en the wrong letter", "Option A: a mask. Option B: a single label for the image. I go with B.", True),
    ("fr la mauvaise lettre", "Hypothèse A : un masque. Hypothèse B : une seule classe. Je dirais B.", True),
    ("en numbered options, the last picked", "Option 1, a single label; option 2, a mask; my answer is option 2.",
     False),
    ("en 'a' the article is no pick", "Option A: a mask. Option B: a single label. I go with a single label.", True),
    ("fr 'a' seul n'est pas une option", "Le réseau donne une seule classe a la fin, ou b un masque ; je garde a.",
     True),
    ("en picked by rank", "Option A: a single label for the image. Option B: a mask. I'd say the second option.", False),
    ("fr choisie par son rang", "Option A : une seule classe pour l'image. Option B : un masque. Je dirais la "
     "deuxième.", False),
    ("en two readings, the first picked", "If it means segmentation: a mask. If it means classification: a single "
     "label for the image. I think the first one is meant.", False),
    ("fr deux lectures, la seconde", "Si on parle de classification : une seule classe pour l'image. Si on parle de "
     "segmentation : un masque. Je pense que c'est la seconde lecture.", False),
    ("en the reading picked is the wrong one", "If it means segmentation: a mask. If it means classification: a "
     "single label for the image. I think the second one is meant.", True),
    ("en 'the first layers' is no pick", "If the image is large: a single label for the image. If it is small: the "
     "same. I think the first layers see edges.", True),
]


# A question that offers a choice asserts neither side; the answer after it is read on its own.
CHOICE_ASKED = [
    ("en a choice asked", "A single label or a mask? A mask, one class per pixel.", False),
    ("fr un choix posé", "Une seule classe ou un masque ? Un masque, une classe par pixel.", False),
    ("en the wrong side answered", "A mask or a single label? A single label.", True),
    ("fr le mauvais côté", "Un masque ou une seule classe ? Une seule classe.", True),
    ("en a negative question still asserts", "Doesn't it give a single label or a score?", True),
    ("fr où n'offre pas de choix", "Où est la seule classe ? Dans la sortie.", True),
]


@pytest.mark.parametrize("what,answer,stated", CHOICE_ASKED, ids=[c[0] for c in CHOICE_ASKED])
def test_a_question_that_offers_a_choice_asserts_neither_side(what, answer, stated):
    assert states_single_label(answer) is stated


@pytest.mark.parametrize("what,answer,stated", PICKED, ids=[c[0] for c in PICKED])
def test_options_not_picked_are_not_stated(what, answer, stated):
    assert states_single_label(answer) is stated


@pytest.mark.parametrize("what,answer,stated", CORRECTED, ids=[c[0] for c in CORRECTED])
def test_what_is_struck_out_or_taken_back_is_not_stated(what, answer, stated):
    assert states_single_label(answer) is stated


@pytest.mark.parametrize("answer", [
    "The network outputs a mask, no wait, a single number.",
    "Le réseau sort un masque, en fait non, un seul nombre.",
    "The network outputs ~~a mask~~ a single number.",
], ids=["en no wait", "fr en fait non", "struck through"])
def test_what_is_taken_back_earns_nothing(answer):
    assert not credits("mask*|masque*", answer)


# A negative question that is no "why" asserts what it asks; its opening negation denies nothing.
QUESTIONS = [
    ("en isn't it", "Isn't it because the sigmoid saturates?", True),
    ("fr est-ce que ce n'est pas", "Est-ce que ce n'est pas parce que la sigmoïde sature ?", True),
    ("fr est-ce qu'on ne ... pas", "Est-ce qu'on ne dit pas que la sigmoïde sature ?", True),
    ("en doesn't", "Doesn't the sigmoid saturate?", True),
    ("fr tag non", "La sigmoïde sature, non ?", True),
    ("fr tag n'est-ce pas", "La sigmoïde sature, n'est-ce pas ?", True),
    ("en why keeps its negation", "Why doesn't the sigmoid saturate?", False),
    ("fr pourquoi garde sa négation", "Pourquoi la sigmoïde ne sature pas ?", False),
    ("en a negation further in still denies", "Isn't it that the sigmoid does not saturate?", False),
    ("fr une négation plus loin nie encore", "Est-ce que ce n'est pas vrai que la sigmoïde ne sature pas ?", False),
    ("en a statement", "The sigmoid does not saturate.", False),
    ("fr inversion", "La sigmoïde ne sature-t-elle pas ?", True),
    ("fr inversion avec n'", "La sigmoïde n'est-elle pas saturée pour les grandes entrées ?", True),
    ("fr est-ce que, sujet, ne", "Est-ce que la sigmoïde ne sature pas ?", True),
    ("en verb first, not after the subject", "Does the sigmoid not saturate?", True),
    ("en is ... not", "Is the sigmoid not saturating for large inputs?", True),
    ("fr pourquoi garde l'inversion niée", "Pourquoi la sigmoïde ne sature-t-elle pas ?", False),
    ("en why keeps not after the subject", "Why does the sigmoid not saturate?", False),
    ("fr inversion, négation plus loin", "N'est-il pas vrai que la sigmoïde ne sature pas ?", False),
    ("en verb first, a negation further in", "Is it true that the sigmoid does not saturate?", False),
]


@pytest.mark.parametrize("what,answer,credited", QUESTIONS, ids=[c[0] for c in QUESTIONS])
def test_a_negative_question_asserts_what_it_asks(what, answer, credited):
    assert credits("sigmoid*|sigmoide satur*|sature", answer) is credited


# A prime after a name is a derivative: "tanh'(0) = 1" says nothing about tanh(0).
PRIMES = [
    ("en prime", "tanh'(0) = 1, so the function is almost the identity near 0.", False),
    ("fr prime", "tanh'(0) = 1 : près de 0 la fonction est quasiment l'identité.", False),
    ("en double prime", "tanh''(0) = 1 would be wrong.", False),
    ("en the function itself", "tanh(0) = 1.", True),
    ("fr la fonction elle-même", "On a tanh(0) = 1.", True),
    ("en a word in quotes is no name", "The 'tanh' (0) = 1 claim.", True),
]


@pytest.mark.parametrize("what,answer,value_at_zero_is_one", PRIMES, ids=[c[0] for c in PRIMES])
def test_a_prime_reads_as_a_derivative(what, answer, value_at_zero_is_one):
    assert credits(r"re:\btanh\W*\(0\)\s*=\s*1\b", answer) is value_at_zero_is_one
    if not value_at_zero_is_one:
        assert credits("deriv*|derivee* 0 1", answer)


# A period after an abbreviation does not end the sentence, so a phrase reaches across it.
ABBREVIATIONS = [
    ("en rand.", "Dropout: rand. zero some units while training.", True),
    ("en approx.", "For small inputs tanh is approx. linear.", True),
    ("fr env.", "La pente vaut env. 1 : la fonction est linéaire.", True),
    ("en a full stop", "Dropout is random. Zero is the output of some units.", False),
]


@pytest.mark.parametrize("what,answer,credited", ABBREVIATIONS, ids=[c[0] for c in ABBREVIATIONS])
def test_an_abbreviation_does_not_end_the_sentence(what, answer, credited):
    expression = {"rand.": "rand* zero*", "approx.": "approx* linear*", "env.": "env* 1"}.get(what.split()[1])
    assert credits(expression or "random* zero*", answer) is credited


# "w.r.t." is one word, "wrt": its periods end no clause, so a clause-scoped phrase reaches across
# it, and a match quotes it whole.
WITH_RESPECT_TO = [
    ("en w.r.t.", "The gradient w.r.t. mu is hard to get.", True),
    ("en w. r. t. spaced", "The gradient w. r. t. mu is hard to get.", True),
    ("en w.r.t glued to the next word", "The gradient w.r.t.mu is hard to get.", True),
    ("en a clause ends at a comma all the same", "The gradient, mu is hard to get.", False),
]


@pytest.mark.parametrize("what,answer,credited", WITH_RESPECT_TO, ids=[c[0] for c in WITH_RESPECT_TO])
def test_with_respect_to_is_one_word(what, answer, credited):
    expression = {"phrase": "gradient* mu hard", "scope": "clause", "window": 6}
    assert credits(expression, answer) is credited
    if "w." in answer:
        wrt = next(t for t in prepare(answer).tokens if t.text == "wrt")
        assert answer[wrt.start:wrt.end].replace(" ", "") == "w.r.t"


@pytest.mark.parametrize("answer", [
    "For active units the gradient passes unchanged instead of being multiplied by 0.25 as with the sigmoid.",
    "Le gradient passe tel quel au lieu d'être multiplié par 0.25 comme avec la sigmoïde.",
], ids=["en", "fr"])
def test_a_concept_set_aside_by_instead_of_still_counts(answer):
    assert credits("multipl* 0.25", answer)


MISCONCEPTION_SHARES_KEYWORD = [
    ("en", "Units are switched off at random, and units are also switched off at test time."),
    ("fr", "Des neurones sont désactivés au hasard, et on désactive aussi des neurones en inférence."),
]


@pytest.mark.parametrize("lang,answer", MISCONCEPTION_SHARES_KEYWORD, ids=[m[0] for m in MISCONCEPTION_SHARES_KEYWORD])
def test_a_misconception_sharing_a_keyword_is_checked_first_and_goes_to_review(rubric, lang, answer):
    result = score_answer(rubric, answer)
    assert "at_test" in {m.id for m in result.misconceptions if m.found}
    assert result.status == "needs_review"
    assert {"concept_and_misconception", "mostly_misconceptions"} & set(result.flags)


# ---------------------------------------------------------------------------------------------
# Numbers are whole words

NUMBERS = [
    ("en same number", "Each unit keeps its place with probability 0.5 during training.", True),
    ("en longer decimal", "Each unit keeps its place with probability 0.55 during training.", False),
    ("en number split by a dot", "Keep the probability at 0. 5 units are enough.", False),
    ("en a stem never cuts a number", "We use a 10x10 filter and keep everything.", False),
    ("en stem on its own number", "We use a 1x1 filter here.", True),
    ("fr virgule décimale", "On va garder chaque neurone avec une probabilité de 0,5.", True),
    ("fr autre décimale", "On va garder chaque neurone avec une probabilité de 0,55.", False),
]


@pytest.mark.parametrize("what,answer,credited", NUMBERS, ids=[n[0] for n in NUMBERS])
def test_numbers_match_whole(rubric, what, answer, credited):
    assert ("keep" in found(rubric, answer)) is credited


REGEX_NUMBERS = [
    ("en same number", "We keep p = 0.5 here.", True),
    ("en longer decimal", "We keep p = 0.55 here.", False),
    ("en larger number", "We keep p = 10.5 here.", False),
    ("fr même nombre", "On prend p = 0,5 ici.", True),
    ("fr autre nombre", "On prend p = 0,52 ici.", False),
]


@pytest.mark.parametrize("what,answer,credited", REGEX_NUMBERS, ids=[n[0] for n in REGEX_NUMBERS])
def test_a_pattern_never_matches_part_of_a_number(what, answer, credited):
    rubric = load_rubric({**RUBRIC, "concepts": [{"id": "half", "points": 2, "label": "p is a half", "hint": "p",
                                                  "any": [{"re": "p\\s*=\\s*0[.,]5"}]}], "misconceptions": []})
    assert ("half" in found(rubric, answer)) is credited


@pytest.mark.parametrize("text,number", [("p = 0.25 here", "0.25"), ("p vaut 0,25 ici", "0,25"), ("784-32-784", "784")])
def test_a_decimal_number_is_one_token(text, number):
    assert number in [t.text for t in prepare(text).tokens]


# ---------------------------------------------------------------------------------------------
# French answers are read with French patterns, English with English ones

LANGUAGE = [
    ("fr comparative is not the English plus", "Le code est de plus petite dimension que l'entrée.", set()),
    ("fr a real French misconception", "Le code est plus grand que l'entrée.", {"code_larger"}),
    ("en a real English misconception", "The code is larger than the input.", {"code_larger"}),
    ("en French words in an English pattern do not fire", "The code has plus signs, not the input.", set()),
    ("mixed answer, French clause", "Units are dropped at random; le code est plus grand que l'entrée.",
     {"code_larger"}),
]


@pytest.mark.parametrize("what,answer,ids", LANGUAGE, ids=[lang[0] for lang in LANGUAGE])
def test_patterns_with_a_language_fire_only_in_that_language(rubric, what, answer, ids):
    assert mistakes(rubric, answer) == ids


SAME_IDEA = [
    ("Units are randomly switched off, to reduce overfitting.",
     "Des neurones sont désactivés au hasard, pour réduire le surapprentissage."),
    ("We keep units with probability 0.5; the sizes go 100, 10, 100.",
     "On va garder les neurones avec une probabilité de 0,5 ; les tailles sont 100, 10, 100."),
]


@pytest.mark.parametrize("english,french", SAME_IDEA)
def test_the_same_idea_scores_alike_in_english_and_french(rubric, english, french):
    en, fr = score_answer(rubric, english), score_answer(rubric, french)
    assert en.points == fr.points > 0 and {c.id for c in en.found} == {c.id for c in fr.found}
    assert (en.language, fr.language) == ("en", "fr")


# ---------------------------------------------------------------------------------------------
# Concrete answers: the idea given as an example (layer sizes that shrink, then grow)

CONCRETE = [
    ("en arrows", "Layers of 784 -> 256 -> 32 -> 256 -> 784 units.", True),
    ("en dashes", "For instance 512-64-512, and the output copies the input.", True),
    ("en shrinking only", "Layers of 784, 256 and 32 units.", False),
    ("en growing then shrinking", "Layers of 32, 256 and 32 units.", False),
    ("fr virgules", "Par exemple des couches de 1000, 100, 10, 100 puis 1000 neurones.", True),
    ("fr décroissant seulement", "Des couches de 1000, 100 puis 10 neurones.", False),
    ("fr séparées par des phrases", "La première couche a 100 neurones. La suivante en a 10. La dernière 100.", False),
    ("en middle size named twice", "Widths 256, 128, 64, 32 in the encoder, then 32, 64, 128, 256 in the decoder.", True),
    ("fr taille du milieu répétée", "Encodeur 512 → 64 → 16, puis décodeur 16 → 64 → 512.", True),
    ("en one size repeated", "Three layers of 128, 128 and 128 units.", False),
    ("fr plateau puis baisse", "Des couches de 100, 100 puis 10 neurones.", False),
    ("en a section number is no size", "See section 1.2.3 for the encoder, and 3.2.1 for the decoder.", False),
    ("fr un numéro de version entre des tailles", "Couches 512, 64 (version 1.2.3), puis 512.", True),
    ("fr deux tailles au choix", "On passe de 784 pixels à un vecteur de seulement 16 ou 32 valeurs.", False),
    ("en two sizes to choose from", "From 784 pixels down to a code of 16 or 32 numbers.", False),
    ("en a choice in the middle", "Layers 784 -> 16 or 32 -> 784.", True),
    ("en a formula's numbers", "The KL term is -1/2 sum(1 + log sigma^2 - mu^2 - sigma^2).", False),
    ("fr les nombres d'une formule", "Le terme KL vaut 1/2 (sigma^2 + mu^2 - 1 - log sigma^2).", False),
    ("fr des tailles séparées par des barres", "Couches de 784/64/784 neurones.", True),
]


@pytest.mark.parametrize("what,answer,credited", CONCRETE, ids=[c[0] for c in CONCRETE])
def test_layer_sizes_that_shrink_then_grow_are_a_structural_alternative(rubric, what, answer, credited):
    assert ("shape" in found(rubric, answer)) is credited


# The other way round, for a misconception: sizes that grow, then shrink (a code wider than the input).
WIDER_CODE = [
    ("en arrows", "Layers of 784 -> 2048 -> 784 units.", True),
    ("fr virgules", "Des couches de 100, 1000 puis 100 neurones.", True),
    ("en shrink then grow", "Layers of 784 -> 32 -> 784 units.", False),
    ("fr croissant seulement", "Des couches de 10, 100 puis 1000 neurones.", False),
]


@pytest.mark.parametrize("what,answer,stated", WIDER_CODE, ids=[c[0] for c in WIDER_CODE])
def test_layer_sizes_that_grow_then_shrink_can_state_a_misconception(what, answer, stated):
    rubric = load_rubric({"schema_version": 1, "points": 1, "min_words": 1, "concepts": [
        {"id": "c", "points": 1, "label": "x", "hint": "y", "any": ["encoder"]}], "misconceptions": [
        {"id": "wider", "penalty": 1, "feedback": "the code is smaller than the input", "any": [{"sizes": "up_down"}]}]})
    assert ("wider" in mistakes(rubric, answer)) is stated


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["784", "1.2.3", "0,5", "1,2,3", "10.", "3..4", "-", "->", ",", " ", "x", "."]),
                max_size=12))
def test_any_run_of_number_like_words_is_scored_without_error(rubric, words):
    result = score_answer(rubric, "Layers " + " ".join(words) + " units.")
    assert 0 <= result.points <= rubric.points


def test_the_set_credits_a_bottleneck_given_as_layer_sizes():
    """Sizes that shrink, then grow are read as an encoder, a smaller code and a decoder. Alone they
    show the shape but not what the halves do: three quarters of the point, as a bare list of the
    right terms (teachers gave sizes alone half or more); with the training objective, the point."""
    rubric = load_rubric(SET_DIR / "rubrics" / "p4.1.yaml")
    for sizes, objective in (("Layers of 784 - 128 - 16 - 128 - 784 units.", " It is trained to reconstruct its input."),
                             ("Des couches de 800, 80, 8, 80 et 800 neurones.",
                              " Le réseau est entraîné à reconstruire son entrée.")):
        alone, explained = score_answer(rubric, sizes), score_answer(rubric, sizes + objective)
        assert alone.points == 0.75 and "the code (bottleneck) has fewer dimensions" in " ".join(alone.feedback)
        assert explained.points == 1, explained.feedback


# ---------------------------------------------------------------------------------------------
# Confidence: unsure cases go to review, with the provisional score shown

CONFIDENCE = [
    ("en concept and misconception in one clause",
     "Units are randomly switched off at test time to reduce overfitting.",
     "concept_and_misconception"),
    ("fr concept et idée fausse dans une proposition",
     "On va désactiver des neurones au hasard en inférence pour réduire le surapprentissage.",
     "concept_and_misconception"),
    ("en mostly misconceptions", "The code is larger than the input; units are randomly dropped.",
     "mostly_misconceptions"),
    ("fr surtout des idées fausses", "Le code latent est bien plus grand que l'entrée ; neurones désactivés au hasard.",
     "mostly_misconceptions"),
    ("en long answer, little found", " ".join(["Training deep models takes patience, careful tuning of many knobs,",
     "a sensible initialisation, normalised inputs, monitoring of gradients and losses, early stopping,",
     "plenty of data, good hardware, logging of every experiment, and a clear validation protocol;",
     "we also compare optimisers, schedules, batch sizes, augmentations, architectures and seeds,",
     "then report the mean and the spread over several runs. Units are randomly dropped."]),
     "long_little_found"),
    ("fr réponse longue, peu reconnu", " ".join(["Entraîner des modèles profonds demande de la patience, un réglage",
     "une initialisation raisonnable, des entrées normalisées, un suivi des gradients et des pertes, un arrêt précoce,",
     "soigneux de nombreux paramètres, beaucoup de données, du bon matériel, un suivi de chaque expérience et",
     "un protocole de validation clair ; on compare aussi les optimiseurs, les calendriers, les tailles de lots,",
     "les augmentations, les architectures et les graines. Des neurones sont désactivés au hasard."]),
     "long_little_found"),
]


@pytest.mark.parametrize("what,answer,flag", CONFIDENCE, ids=[c[0] for c in CONFIDENCE])
def test_unsure_cases_go_to_review_with_the_provisional_score(rubric, what, answer, flag):
    result = score_answer(rubric, answer)
    assert flag in result.flags, (result.flags, result.feedback)
    assert result.status == "needs_review" and result.confidence < rubric.spec.review_threshold
    assert f"provisional score {result.points:g}/2" in result.feedback[0]


@pytest.mark.parametrize("lang,answer", [
    # a typo ("overfittting", "surapprentisage") and the misconception make the grader unsure
    ("en", "Units are randomly dropped to reduce overfittting, keep probability 0.5, and units are also switched "
           "off at test time."),
    ("fr", "Des neurones sont supprimés au hasard pour réduire le surapprentisage, garder probabilité 0.5, et on "
           "désactive aussi des neurones en inférence."),
])
def test_an_answer_to_review_with_a_misconception_is_proposed_at_a_quarter_at_most(rubric, lang, answer):
    result = score_answer(rubric, answer)
    earned = sum(c.points for c in result.found) - sum(m.points for m in result.misconceptions if m.found)
    assert result.status == "needs_review" and earned > 0.25 * rubric.spec.points, result.feedback
    assert result.points == 0.25 * rubric.spec.points
    assert any("at most a quarter" in reason for reason in result.reasons)


@pytest.mark.parametrize("lang,answer", [
    ("en", "Units are randomly dropped to reduce overfittting, keep probability 0.5, and units are also switched "
           "off at test time."),
    ("fr", "Des neurones sont supprimés au hasard pour réduire le surapprentisage, garder probabilité 0.5, et on "
           "désactive aussi des neurones en inférence."),
])
def test_a_misconception_that_costs_nothing_does_not_cap_an_answer_to_review(lang, answer):
    """A misconception the author made free (penalty 0: it only tells the student) still sends the
    answer to review, but does not cut its provisional score to a quarter."""
    free = {**RUBRIC, "misconceptions": [{**m, "penalty": 0} for m in RUBRIC["misconceptions"]]}
    result = score_answer(load_rubric(free), answer)
    assert result.status == "needs_review" and any(m.found for m in result.misconceptions), result.feedback
    assert result.points == sum(c.points for c in result.found) > 0.25 * result.max_points
    assert not any("at most a quarter" in reason for reason in result.reasons)


def test_a_plain_answer_stays_confident(rubric):
    for answer in ("Units are randomly switched off, to reduce overfitting.",
                   "Des neurones sont désactivés au hasard, pour réduire le surapprentissage."):
        result = score_answer(rubric, answer)
        assert result.confidence == 1.0 and result.status == "partial", result.feedback


# ---------------------------------------------------------------------------------------------
# Very short answers: one rule for every text part

TEXT_PARTS = {"p1.1d.explain": "channels", "p1.2c": "Toeplitz", "p1.3a": "U-Net", "p1.4": "regularization",
              "p1.5": "shortcuts", "p2.1.small_inputs": "linear", "p3.4": "faster", "p3.5": "Leaky",
              "p4.1": "encoder-decoder", "p4.2": "reparametrization"}
KEYWORDS = {"p1.1d.explain": "channels, depth, cheap", "p1.2c": "sparse, Toeplitz, shared weights",
            "p1.3a": "encoder, decoder, upsampling", "p1.4": "random, neurons, zero, overfitting",
            "p1.5": "skip, identity, gradient flow", "p2.1.small_inputs": "linear, slope 1, identity",
            "p3.4": "no saturation, cheap, sparse", "p3.5": "dead units, leaky, ELU",
            "p4.1": "encoder, code, decoder", "p4.2": "sampling, gradient, reparametrization"}
COPIED_WORD = {"p1.1d.explain": "convolution", "p1.2c": "matrix W", "p1.3a": "segmentation", "p1.4": "Dropout",
               "p1.5": "ResNet", "p2.1.small_inputs": "tanh", "p3.4": "ReLU", "p3.5": "ReLU layers",
               "p4.1": "auto-encoder", "p4.2": "Gaussian"}


@pytest.fixture(scope="module")
def set_rubrics(text_rubrics):
    return {part: (rubric, prompt) for part, (rubric, prompt, _) in text_rubrics.items()}


@pytest.mark.parametrize("part", sorted(TEXT_PARTS))
def test_one_word_answers_go_to_review_on_every_part(set_rubrics, part):
    """Fewer content words than the rubric's min_words: review, whatever matched or not.

    p2.1.small_inputs sets min_words to 1, since "tanh(x) ≈ x" is a full answer there; one word
    is then not very short, and the rule gives a confident score.
    """
    rubric, prompt = set_rubrics[part]
    for answer in (TEXT_PARTS[part], "No idea.", "Je ne sais pas."):
        result = score_answer(rubric, answer, prompt)
        if rubric.spec.min_words > 2:
            assert result.status == "needs_review" and "very_short" in result.flags, (answer, result.feedback)
        else:
            assert "very_short" not in result.flags and result.status != "needs_review", (answer, result.feedback)


@pytest.mark.parametrize("part", sorted(KEYWORDS))
def test_keyword_lists_go_to_review_on_every_part(set_rubrics, part):
    rubric, prompt = set_rubrics[part]
    result = score_answer(rubric, KEYWORDS[part], prompt)
    assert result.status == "needs_review", result.feedback
    assert {"very_short", "keyword_list"} & set(result.flags)


@pytest.mark.parametrize("part", sorted(COPIED_WORD))
def test_a_word_copied_from_the_prompt_earns_nothing_on_every_part(set_rubrics, part):
    rubric, prompt = set_rubrics[part]
    result = score_answer(rubric, COPIED_WORD[part], prompt)
    assert result.status == "incorrect" and result.points == 0 and "copied_prompt" in result.flags
    assert "repeats the question" in result.feedback[0]


# The question said back with one idea added: the copied words count neither way, the idea does.
SAID_BACK = [
    ("en the cost added", "p3.4", "The advantages of using ReLU activations over sigmoid activations are that ReLU "
     "is cheaper to compute.", True),
    ("fr le coût ajouté", "p3.4", "Les avantages d'utiliser des activations ReLU par rapport aux activations "
     "sigmoïde sont que ReLU est moins coûteuse à calculer.", True),
    ("en sparsity added", "p1.2c", "A remark we can make about this matrix W is that it is sparse.", True),
    ("fr creuse ajouté", "p1.2c", "Une remarque qu'on peut faire sur cette matrice W est qu'elle est creuse.", True),
    ("en nothing added", "p3.4", "What advantages does using ReLU activations have over sigmoid activations?", False),
    ("fr rien d'ajouté", "p1.2c", "Quelles remarques peut-on faire sur cette matrice W ?", False),
    ("en an idea of no use added", "p3.4", "The advantages of using ReLU activations over sigmoid activations are "
     "very important in practice.", False),
]


@pytest.mark.parametrize("what,part,answer,earns", SAID_BACK, ids=[c[0] for c in SAID_BACK])
def test_the_question_said_back_is_graded_on_what_it_adds(set_rubrics, what, part, answer, earns):
    rubric, prompt = set_rubrics[part]
    result = score_answer(rubric, answer, prompt)
    if earns:
        assert result.points > 0 and "copied_prompt" not in result.flags, result.feedback
    else:
        assert result.points == 0, result.feedback


@pytest.mark.parametrize("answer", [
    "tanh(x) ≈ x",
    # the question's words in its order ("tanh ... outputs ... small"), with a formula between them
    "tanh(x) ≈ x, and the output is small.",
    "tanh(x) ≈ x, et la sortie est petite.",
])
def test_a_formula_made_of_prompt_words_is_not_a_copy(set_rubrics, answer):
    rubric, prompt = set_rubrics["p2.1.small_inputs"]
    result = score_answer(rubric, answer, prompt)
    assert "copied_prompt" not in result.flags and result.points == 1


# ---------------------------------------------------------------------------------------------
# rubric-test: phrases that never fired, phrases that fired off the expected score

def test_rubric_test_reports_dead_and_misleading_phrases(rubric):
    samples = [
        Sample("Units are randomly dropped, which reduces overfitting.", 1.0),
        Sample("Units are randomly dropped, which reduces overfitting.", 0.0),  # the instructor gives nothing
        Sample("The code is larger than the input; units are dropped at random.", 1.0),
    ]
    run = run_samples(rubric, samples)
    never = {(p.owner, p.phrase) for p in run.never_fired}
    assert ("concept keep", "keep probability 0.5") in never
    assert ("concept drop", "random* @unit @off") not in never
    suspects = {(p.owner, p.phrase): p.suspect for p in run.suspects}
    assert suspects[("concept drop", "random* @unit @off")] == (2,)
    assert suspects[("misconception code_larger", "code larger|bigger|more|plus input")] == (3,)
    report = run.to_dict()
    assert {"never_fired", "fired_off_expectation"} <= set(report)


def test_rubric_test_shows_what_a_word_written_with_symbols_reads_as():
    rubric = load_rubric({"schema_version": 1, "points": 1, "min_words": 1, "concepts": [
        {"id": "c", "points": 1, "label": "x", "hint": "y",
         "any": [{"phrase": "slope|pente one|1", "unless": "x<0 negati*"}, "h(x)|f(x) skip*", "@half"]}],
        "synonyms": {"half": ["1/2 point"]}})
    run = run_samples(rubric, [Sample("The slope is 1 for x > 0.", 1.0)])
    assert dict(run.misread) == {"x<0": "0", "h(x)": "", "f(x)": "", "1/2": "1 2", "one": ""}  # "one" is a function word
    assert "'x<0' reads as '0'" in format_run(run)
    assert {"written": "x<0", "read_as": "0"} in run.to_dict()["words_with_symbols"]


def test_rubric_test_shows_the_function_words_a_phrase_cannot_see():
    """Matching skips function words in answers, so an alternative made only of them never matches:
    "too|overly simple" finds "overly simple" and never "too simple". rubric-test names them."""
    rubric = load_rubric({"schema_version": 1, "points": 1, "min_words": 1, "concepts": [
        {"id": "c", "points": 1, "label": "x", "hint": "y",
         "any": ["too|overly|trop simple", {"phrase": "simple*", "unless": "mais complex*"}]}]})
    assert score_answer(rubric, "The Gaussian is overly simple.").points == 1
    run = run_samples(rubric, [Sample("The Gaussian is too simple.", 1.0)])
    assert dict(run.misread) == {"too": "", "mais": ""}
    assert "'too' reads as ''" in format_run(run) and "function words" in format_run(run)


def test_rubric_test_shows_a_hyphenated_word_that_loses_a_part():
    """Answers are read word by word, so "k-means" in a phrase is read as "mean", which "mean squared
    error" also has; a hyphenated word that only joins ("sur-appren*") loses nothing."""
    rubric = load_rubric({"schema_version": 1, "points": 1, "min_words": 1, "concepts": [
        {"id": "c", "points": 1, "label": "x", "hint": "y", "any": ["k-means|co-adapt* cluster*", "sur-appren*"]}]})
    assert score_answer(rubric, "the mean clusters").points == 1
    run = run_samples(rubric, [Sample("k-means clusters the codes", 1.0)])
    assert dict(run.misread) == {"k-means": "mean"}


# ---------------------------------------------------------------------------------------------
# A secondary remark is not the idea: `unless` words void a phrase in the clauses it spans

SIDE_REMARK_RUBRIC = {
    "schema_version": 1, "points": 1, "min_words": 2,
    "concepts": [
        {"id": "linear", "points": 1, "label": "the output is about the input", "hint": "compare them",
         "any": [{"phrase": "output|sortie equal*|same|meme|egal* input|entree", "unless": "sign* signe*"}]},
        {"id": "sign", "points": 0.25, "label": "the sign is kept", "hint": "the sign",
         "any": ["same|meme sign*|signe*"]},
    ],
}

SIDE_REMARKS = [
    ("en the idea", "The output is about the same as the input.", 1.0),
    ("en the side remark", "The output has the same sign as the input.", 0.25),
    ("en the side remark in another clause", "The output is the same as the input; the sign is kept too.", 1.0),
    ("fr l'idée", "La sortie est presque égale à l'entrée.", 1.0),
    ("fr la remarque", "La sortie a le même signe que l'entrée.", 0.25),
    ("fr alors que ouvre une autre proposition", "La sortie est presque égale à l'entrée, alors que le signe change.",
     1.0),
    ("fr alors que sans virgule", "La sortie est presque égale à l'entrée alors que le signe change.", 1.0),
]


@pytest.mark.parametrize("what,answer,points", SIDE_REMARKS, ids=[s[0] for s in SIDE_REMARKS])
def test_unless_words_keep_a_side_remark_from_earning_the_idea(what, answer, points):
    assert score_answer(load_rubric(SIDE_REMARK_RUBRIC), answer).points == points


# ---------------------------------------------------------------------------------------------
# The set's rubrics on answers that describe an idea instead of naming it, that state only a side
# remark, or that state a misconception with a concept's own words; in English and French.

DESCRIBED = [
    ("p1.1d.explain", "At each pixel it takes a weighted sum over all the input maps; fewer filters give a thinner volume.",
     {"channel_mixing", "depth_change"}),
    ("p1.1d.explain", "Elle fait une somme pondérée des canaux en chaque pixel et permet de passer de 192 à 32 canaux.",
     {"channel_mixing", "depth_change"}),
    ("p1.2c", "Each row is the previous one moved one column to the right; everything else is zero.",
     {"structure", "sparse"}),
    ("p1.2c", "Chaque ligne est la précédente décalée d'une colonne, et le reste est rempli de zéros.",
     {"structure", "sparse"}),
    ("p1.3a", "A net that shrinks the image and then brings it back to its original size.", {"architecture", "upsampling"}),
    ("p1.3a", "Un réseau sans couche dense, dont la sortie a la taille d'origine.", {"architecture", "upsampling"}),
    ("p1.4", "A neuron cannot lean on its neighbours, and at inference nothing is dropped.",
     {"co_adaptation", "training_only"}),
    ("p1.4", "Le réseau ne dépend pas d'un neurone précis ; on l'enlève au moment du test.",
     {"co_adaptation", "training_only"}),
    ("p1.5", "Each block adds its input back, a direct route for the error signal to the first layers.",
     {"skip_connections", "gradient_flow"}),
    ("p1.5", "Des connexions contournent les couches, et le gradient prend un chemin direct vers les premières couches.",
     {"skip_connections", "gradient_flow"}),
    ("p2.1.small_inputs", "When x is close to 0, tanh(x) is roughly equal to x.", {"linear"}),
    ("p2.1.small_inputs", "Près de 0, tanh(x) vaut à peu près x.", {"linear"}),
    ("p3.4", "The gradient does not get tiny, unlike the sigmoid which flattens out.", {"no_saturation"}),
    ("p3.4", "La ReLU n'a pas de zone plate pour les grandes valeurs positives.", {"no_saturation"}),
    ("p4.1", "It squeezes the input through a narrow middle layer, then rebuilds the input from it.",
     {"encoder", "decoder", "bottleneck"}),
    ("p4.1", "Une partie réduit l'entrée à un petit vecteur, une autre reconstruit l'entrée.",
     {"encoder", "decoder", "bottleneck"}),
    ("p4.2", "The randomness breaks the chain of gradients back to the encoder.", {"not_differentiable"}),
    ("p4.2", "Le tirage aléatoire coupe le graphe de calcul.", {"not_differentiable"}),
]


@pytest.mark.parametrize("part,answer,ids", DESCRIBED, ids=[f"{d[0]}-{i}" for i, d in enumerate(DESCRIBED)])
def test_an_idea_described_rather_than_named_is_found(set_rubrics, part, answer, ids):
    rubric, prompt = set_rubrics[part]
    result = score_answer(rubric, answer, prompt)
    assert ids <= {c.id for c in result.found}, result.feedback
    assert not any(m.found for m in result.misconceptions), result.feedback


SIDE_ONLY = [
    ("p2.1.small_inputs", "The output has the same sign as the input."),
    ("p2.1.small_inputs", "La sortie a le même signe que l'entrée."),
    ("p4.2", "A Gaussian has a single peak, it is unimodal."),
    ("p4.2", "La gaussienne n'a qu'un seul mode."),
    ("p1.2c", "The matrix W has more columns than rows."),
    ("p1.2c", "La matrice W n'est pas carrée, elle a plus de colonnes que de lignes."),
    ("p1.1d.explain", "The height and width stay the same, it is cheap and adds a non-linearity."),
    ("p1.1d.explain", "La hauteur et la largeur restent les mêmes, elle est peu coûteuse et ajoute une non-linéarité."),
]


@pytest.mark.parametrize("part,answer", SIDE_ONLY, ids=[f"{s[0]}-{i}" for i, s in enumerate(SIDE_ONLY)])
def test_a_side_remark_alone_earns_at_most_half(set_rubrics, part, answer):
    rubric, prompt = set_rubrics[part]
    result = score_answer(rubric, answer, prompt)
    assert 0 < result.points <= rubric.points / 2, result.feedback


MISCONCEPTION_IN_CONCEPT_WORDS = [
    ("p2.1.small_inputs", "For small inputs the output of tanh is close to 1, so the neuron is fully active."),
    ("p2.1.small_inputs", "Pour de petites entrées, la sortie de tanh est proche de 1."),
    ("p1.4", "Dropout randomly drops neurons, and we keep dropping neurons at test time as well."),
    ("p1.4", "Le dropout éteint des neurones au hasard pendant l'entraînement et aussi pendant le test."),
    ("p4.1", "The encoder maps the input to a code larger than the input and the decoder reconstructs it."),
    ("p4.1", "L'encodeur projette l'entrée dans un code plus grand que l'entrée, puis le décodeur la reconstruit."),
]


@pytest.mark.parametrize("part,answer", MISCONCEPTION_IN_CONCEPT_WORDS,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(MISCONCEPTION_IN_CONCEPT_WORDS)])
def test_a_misconception_in_a_concepts_words_earns_at_most_a_quarter(set_rubrics, part, answer):
    rubric, prompt = set_rubrics[part]
    result = score_answer(rubric, answer, prompt)
    assert any(m.found for m in result.misconceptions), result.feedback
    assert result.points <= rubric.points / 4, result.feedback


# Kind: concrete and terse answers. What is a bare list of terms, and what only looks like one:
# a single letter is a variable, a negation belongs to its term, a noun's complement keeps the
# item a term, a formula's slash is no separator, and prose with commas stays prose.
KEYWORD_LISTS = [
    ("variables in a term (en)", "same H x W; mixes channels; reduce depth; network-in-network; cheap", True),
    ("variables in a term (fr)", "même H x W ; combinaison linéaire des canaux ; réduction de la profondeur ; bottleneck", True),
    ("negated terms (en)", "no saturation (x>0), no vanishing gradient, cheap, sparse, converges faster", True),
    ("negated terms (fr)", "échantillonnage non différentiable ; pas de backprop ; reparamétrisation", True),
    ("complements (en)", "random zeroing of neurons, probability p, regularization, co-adaptation, ensemble", True),
    ("complements (fr)", "pas centré en 0, décalage de la moyenne, zig-zag des gradients ; BatchNorm, Leaky ReLU, ELU", True),
    ("formulas as items (fr)", "tanh(x) ≈ x ; linéaire ; dérivée ≈ 1", True),
    ("prose with commas (en)", "ReLU is cheap, it does not saturate, and it is sparse", False),
    ("prose with commas (fr)", "La ReLU ne sature pas, elle est rapide, et on a des activations creuses", False),
    ("a formula's slash (fr)", "Pour |x| petit, tanh(x) ≈ x - x³/3 ≈ x.", False),
    ("a chain of sizes (en)", "28x28 image -> 128 -> 16 -> 128 -> 28x28 image, loss = ||x - x_hat||^2", False),
    ("shorthand sentence (fr)", "gradient constant = 1 qd x>0 (pas d'écrasement) + calcul simple", False),
    ("terse sentences (en)", "randomly zero units w.p. p during training (rescale), no co-adaptation / ensemble effect "
                             "-> regularizes. Use it when overfitting (big net, small data), off at test.", False),
]


@pytest.mark.parametrize("what,answer,is_list", KEYWORD_LISTS, ids=[k[0] for k in KEYWORD_LISTS])
def test_a_bare_list_of_terms_is_told_from_prose_and_formulas(what, answer, is_list):
    from grader.rubric.score import _is_keyword_list

    assert _is_keyword_list(prepare(answer)) is is_list


def test_a_bare_list_keeps_the_rubrics_share_of_its_points(set_rubrics):
    """The same ideas as a list of terms and as a sentence: the list keeps keyword_list_share."""
    rubric, prompt = set_rubrics["p3.4"]
    listed = score_answer(rubric, "no saturation (x>0), no vanishing gradient, cheap, sparse", prompt)
    said = score_answer(rubric, "ReLU does not saturate for x > 0, so the gradient does not vanish; "
                                "it is cheap to compute and its activations are sparse.", prompt)
    assert "keyword_list" in listed.flags and "keyword_list" not in said.flags
    assert listed.points == pytest.approx(said.points * rubric.spec.keyword_list_share)


# Kind: clause-level meaning. A denied denial asserts its clause: "it's not that X doesn't...",
# "ce n'est pas que ... ne ... pas". A "not that" over a clause with no negation still denies it.
DOUBLE_DENIALS = [
    ("en not that it doesn't", "It's not that dropout doesn't reduce overfitting, it just costs time.", True),
    ("en not that it never", "It is not that dropout never reduces overfitting.", True),
    ("fr pas que ne pas", "Ce n'est pas que le dropout ne réduit pas le surapprentissage, il ralentit juste.", True),
    ("fr pas qu'il ne jamais", "Ce n'est pas qu'il ne réduit jamais le surapprentissage.", True),
    ("en not that, no inner negation", "It's not that dropout reduces overfitting.", False),
    ("fr pas que, sans seconde négation", "Ce n'est pas que le dropout réduit le surapprentissage.", False),
    ("en the second clause keeps its own", "It's not that it doesn't work, but dropout does not reduce overfitting.", False),
]


@pytest.mark.parametrize("what,answer,credited", DOUBLE_DENIALS, ids=[c[0] for c in DOUBLE_DENIALS])
def test_a_denied_denial_asserts_its_clause(what, answer, credited):
    assert credits(REDUCES_OVERFITTING, answer) is credited


# Kind: word forms as typed in a hurry. "pr", "ds", "qd", "pcq" stand for function words and
# are no content a phrase's window must step over; "pcq", "bc" and "cuz" say "because", so a
# negation does not reach across them.
@pytest.mark.parametrize("answer", [
    "des neurones sont éteints au hasard, ça réduit pr de vrai le surapprentissage",
    "ça réduit ds la pratique le surapprentissage",
    "it reduces ur overfitting",
    "On ne l'utilise jamais au test pcq il réduit le surapprentissage",
    "dropout doesnt matter bc it reduces overfitting",
], ids=["fr pr", "fr ds", "en ur", "fr pcq ends a negation", "en bc ends a negation"])
def test_hurried_words_read_as_the_words_they_stand_for(answer):
    assert credits({"phrase": REDUCES_OVERFITTING, "window": 3}, answer)


# Kind: clause-level meaning. A contrast that closes the sentence and only disagrees rejects what
# the sentence reported: "my friend says X, but I disagree", "..., mais je ne suis pas d'accord".
CLOSING_DISAGREEMENT = [
    ("en but I disagree", "My friend says dropout reduces overfitting, but I disagree.", False),
    ("en but I don't think so", "Some say dropout reduces overfitting, but I don't think so.", False),
    ("fr mais je ne suis pas d'accord",
     "Mon ami dit que le dropout réduit le surapprentissage, mais je ne suis pas d'accord.", False),
    ("fr mais je ne pense pas", "On dit que le dropout réduit le surapprentissage, mais je ne pense pas.", False),
    ("en and I agree", "My friend says dropout reduces overfitting, and I agree.", True),
    ("en but I agree", "Dropout reduces overfitting, but I agree.", True),
    ("en but a claim of its own", "Dropout reduces overfitting, but I agree it is slow.", True),
    ("en but not wrong", "My friend says dropout reduces overfitting, but that's not wrong.", True),
]


@pytest.mark.parametrize("what,answer,credited", CLOSING_DISAGREEMENT, ids=[c[0] for c in CLOSING_DISAGREEMENT])
def test_a_closing_disagreement_rejects_what_the_sentence_reported(what, answer, credited):
    assert credits(REDUCES_OVERFITTING, answer) is credited


# Kind: numbers and notation. "N(0, 1)" and "n = 10" name a distribution or a count; the letter is
# not the French "n'" of a negation.
@pytest.mark.parametrize("answer,credited", [
    ("eps is drawn from N(0, 1)", True),
    ("eps est tiré selon N (0,I)", True),
    ("eps n'est pas tiré au hasard", False),
], ids=["N(0, 1)", "N (0,I)", "fr n'"])
def test_a_letter_n_in_notation_is_no_negation(answer, credited):
    assert credits({"phrase": "eps drawn|tire", "window": 4, "unless": "not pas"}, answer) is credited


# Kind: word forms in notation. A Greek letter reads as its name, in both languages, so a phrase
# written with the names finds it; its quote in the feedback is the letter as written.
@pytest.mark.parametrize("answer,credited", [
    ("the encoder outputs μ and σ", True),
    ("l'encodeur donne μ et σ", True),
    ("the encoder outputs m and s", False),
], ids=["en letters", "fr letters", "other letters"])
def test_a_greek_letter_reads_as_its_name(answer, credited):
    assert credits({"phrase": "mu sigma", "window": 3}, answer) is credited


def test_a_greek_letter_is_quoted_as_written():
    doc = prepare("z = μ + σ ⊙ ε")
    assert [t.text for t in doc.tokens] == ["z", "mu", "sigma", "epsilon"]
    assert [doc.original[t.start:t.end] for t in doc.tokens] == ["z", "μ", "σ", "ε"]


@pytest.mark.parametrize("answer,sentences", [
    ("ReLU is max(0, x). The sigmoid is mostly used in the output layer.", 2),
    ("La ReLU vaut max(0, x). La sigmoïde sert surtout en sortie.", 2),
    ("A variable alone, e.g. x, is no sentence end.", 1),
], ids=["en bracket then period", "fr parenthèse puis point", "en e.g."])
def test_a_period_after_a_closed_bracket_ends_the_sentence(answer, sentences):
    """A single letter before a period is an abbreviation ("e.g.") only when the period follows it
    directly; "max(0, x). The ..." closes a bracket first, and the sentence ends."""
    assert len({t.sentence for t in prepare(answer).tokens}) == sentences
