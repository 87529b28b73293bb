"""The ten text parts against sample answers: expected provisional score and status, as tables.

SAMPLES comes from problems/mlp_cnn/rubrics/examples/tuned/<part>.yaml (files `grader rubric-test`
reads, and graded examples of the rubrics): for each part, full, partial, wrong and negated or misconceived answers, in English and
French, with the points and status an instructor gives. A sample is scored right when the
provisional points are within 25 % of the part's points of the expected points and the status is
the expected one. Every part is also checked on empty, copied-prompt, very long, over-long and
off-language answers, and on English/French translations of the same answer.

Then every folder of answers that measures the rubrics (FLOORS) is scored, and must keep the floor
it reached; each folder's README.md tells its history.
"""

from __future__ import annotations

import pytest
import yaml

from grader.rubric import score_answer
from grader.rubric.samples import load_samples
from grader.rubric.tune import within_tolerance
from tests.conftest import MEASURING, ROOT, SET_DIR

SAMPLES_DIR = ROOT / "tests" / "data" / "rubric_samples"  # answers the rubrics never learn from
EXAMPLES_DIR = SET_DIR / "rubrics" / "examples"  # the rubrics' graded examples, tuned on
TUNED_DIR = EXAMPLES_DIR / "tuned"
TEXT_PARTS = ["p1.1d.explain", "p1.2c", "p1.3a", "p1.4", "p1.5", "p2.1.small_inputs", "p3.4", "p3.5", "p4.1", "p4.2"]

SAMPLES: dict[str, list[tuple[object, float, str]]] = {
    part: [(s.answer, s.expected_points, s.expected_status) for s in load_samples(TUNED_DIR / f"{part}.yaml")]
    for part in TEXT_PARTS
}
NOTES = {part: [s.note for s in load_samples(TUNED_DIR / f"{part}.yaml")] for part in TEXT_PARTS}

# The same answer in English and in French: scored alike.
TRANSLATIONS = {
    "p1.1d.explain": ("A 1x1 convolution combines the channels at each pixel and reduces the number of channels.",
                      "Une convolution 1x1 combine les canaux en chaque pixel et réduit le nombre de canaux."),
    "p1.2c": ("W is a sparse Toeplitz matrix.", "W est une matrice de Toeplitz creuse."),
    "p1.3a": ("An encoder-decoder network that upsamples back to the size of the image.",
              "Un réseau encodeur-décodeur qui remonte à la taille de l'image."),
    "p1.4": ("Dropout randomly deactivates neurons during training, which reduces overfitting.",
             ("Le dropout désactive aléatoirement des neurones pendant l'entraînement, ce qui réduit le "
             "surapprentissage.")),
    "p1.5": ("Residual connections let the gradient flow directly to the first layers.",
             "Les connexions résiduelles laissent le gradient passer directement vers les premières couches."),
    "p2.1.small_inputs": ("For small inputs, tanh is almost linear.", "Pour de petites entrées, tanh est presque linéaire."),
    "p3.4": ("ReLU does not saturate and it is cheap to compute.", "La ReLU ne sature pas et elle est peu coûteuse à calculer."),
    "p3.5": ("The outputs are not zero-centred; batch normalization helps.",
             "Les sorties ne sont pas centrées en zéro ; la batch normalization aide."),
    "p4.1": ("An encoder compresses the input into a small latent code and a decoder reconstructs it.",
             "Un encodeur compresse l'entrée en un petit code latent et un décodeur la reconstruit."),
    "p4.2": ("Sampling is not differentiable, so we cannot backpropagate through it.",
             "L'échantillonnage n'est pas dérivable, donc on ne peut pas rétropropager à travers."),
}

OFF_LANGUAGE = [
    "Das Netzwerk ist nicht gut, weil die Gewichte zu groß sind und das Training zu lange dauert.",
    "La red no es buena porque los pesos son muy grandes y el entrenamiento dura demasiado tiempo.",
]


@pytest.fixture(scope="module")
def rubrics(text_rubrics):
    return text_rubrics


CASES = [(part, i, *sample) for part, samples in SAMPLES.items() for i, sample in enumerate(samples)]


@pytest.mark.parametrize("part,index,answer,points,status", CASES,
                         ids=[f"{c[0]}-{c[1]}-{NOTES[c[0]][c[1]]}" for c in CASES])
def test_sample_is_scored_as_an_instructor_would(rubrics, part, index, answer, points, status):
    rubric, prompt, _ = rubrics[part]
    result = score_answer(rubric, answer, prompt)
    assert within_tolerance(result.points, points, rubric.points), (result.points, result.feedback)
    assert result.status == status, (result.confidence, result.feedback)
    assert result.feedback, "every answer gets an explanation"


@pytest.mark.parametrize("part", TEXT_PARTS)
def test_each_part_has_full_partial_wrong_and_french_samples(rubrics, part):
    rubric, prompt, _ = rubrics[part]
    samples = SAMPLES[part]
    assert len(samples) >= 4
    assert any(points == rubric.points for _, points, _ in samples), "a full answer"
    assert any(0 < points < rubric.points for _, points, _ in samples), "a partial answer"
    assert sum(points == 0 for _, points, _ in samples) >= 2, "a wrong and a negated or misconceived answer"
    languages = {score_answer(rubric, answer, prompt).language for answer, _, _ in samples}
    assert "fr" in languages and "en" in languages


@pytest.mark.parametrize("part", TEXT_PARTS)
def test_french_is_scored_like_english(rubrics, part):
    rubric, prompt, _ = rubrics[part]
    english, french = TRANSLATIONS[part]
    en, fr = score_answer(rubric, english, prompt), score_answer(rubric, french, prompt)
    assert en.points == fr.points > 0, (en.feedback, fr.feedback)
    assert en.status == fr.status
    assert {c.id for c in en.found} == {c.id for c in fr.found}


@pytest.mark.parametrize("part", TEXT_PARTS)
def test_empty_answers_are_missing(rubrics, part):
    rubric, prompt, _ = rubrics[part]
    for answer in ("", "   \n ", [], None):
        result = score_answer(rubric, answer, prompt)
        assert result.status == "missing" and result.points == 0


@pytest.mark.parametrize("part", TEXT_PARTS)
def test_copied_prompt_earns_nothing(rubrics, part):
    rubric, prompt, _ = rubrics[part]
    for answer in (prompt, prompt.lower().rstrip("?."), [prompt]):
        result = score_answer(rubric, answer, prompt)
        assert result.status == "incorrect" and result.points == 0 and "copied_prompt" in result.flags, answer


@pytest.mark.parametrize("part", TEXT_PARTS)
def test_very_long_answer_goes_to_review_with_its_provisional_score(rubrics, part):
    rubric, prompt, _ = rubrics[part]
    full = rubric.spec.model_answers[0]
    filler = " Moreover, I would like to add several further considerations about this topic here."
    answer = full + filler * 40
    assert len(answer) < 5000
    result = score_answer(rubric, answer, prompt)
    assert "very_long" in result.flags and result.status == "needs_review"
    assert result.points == rubric.points  # the provisional score is kept for the reviewer
    assert result.feedback[0].startswith("Needs review: provisional score")


@pytest.mark.parametrize("part", TEXT_PARTS)
def test_over_long_answer_is_invalid(rubrics, part):
    rubric, prompt, _ = rubrics[part]
    result = score_answer(rubric, rubric.spec.model_answers[0] + " word" * 1200, prompt)
    assert result.status == "invalid" and "limit" in result.feedback[0]


@pytest.mark.parametrize("part", TEXT_PARTS)
@pytest.mark.parametrize("answer", OFF_LANGUAGE, ids=["german", "spanish"])
def test_off_language_answers_go_to_review(rubrics, part, answer):
    rubric, prompt, _ = rubrics[part]
    result = score_answer(rubric, answer, prompt)
    assert result.status == "needs_review" and "off_language" in result.flags


def sample_figures(rubrics) -> tuple[int, int, int]:
    """(samples, scored within 25 % of the expected points, sent to review)."""
    total = within = review = 0
    for part, samples in SAMPLES.items():
        rubric, prompt, _ = rubrics[part]
        for answer, points, _ in samples:
            result = score_answer(rubric, answer, prompt)
            total += 1
            within += within_tolerance(result.points, points, rubric.points)
            review += result.status == "needs_review"
    return total, within, review


def test_issue_figures(rubrics, capsys):
    total, within, review = sample_figures(rubrics)
    with capsys.disabled():
        print(f"\nrubric samples: {total}; within 25% of the expected points: {within}; sent to review: {review}")
    assert total >= 40 and within == total


HELDOUT_DIR = SAMPLES_DIR / "heldout"


@MEASURING
def test_heldout_figures(rubric_scores, capsys):
    """Answers written after the rubrics were frozen and never tuned on: a regression floor.

    Measured when written: 27 of 32 within 25 %, none sent to review; every miss under-scores a
    paraphrase the rubric does not know (none over-scores), which the confidence cannot see.
    """
    total, within, review, _, over = measure_unseen(HELDOUT_DIR, rubric_scores)
    with capsys.disabled():
        print(f"\nheld-out samples: {total}; within 25% of the expected points: {within}; sent to review: {review}")
    assert total >= 30 and within >= 0.8 * total and over == 0


def measure_unseen(folder, score) -> tuple[int, int, int, list, int]:
    """Score a folder of answers the rubrics were not tuned on: (answers, within 25 % of the
    expected points, sent to review, misconception answers given more than a quarter of the part,
    answers scored more than a quarter of the part above their expected points), with
    score(part, answer) (the `rubric_scores` fixture). An answer's `expected_status`, when it has
    one, must be met."""
    total = within = review = over = 0
    too_generous = []
    for path in sorted(folder.glob("*.yaml")):
        for sample in load_samples(path):
            result = score(path.stem, sample.answer)
            total += 1
            within += within_tolerance(result.points, sample.expected_points, result.max_points)
            review += result.status == "needs_review"
            over += result.points > sample.expected_points + 0.25 * result.max_points + 1e-9
            if sample.note.startswith("misconception") and result.points > 0.25 * result.max_points + 1e-9:
                too_generous.append((path.stem, sample.note, result.points))
            if sample.expected_status is not None:
                assert result.status == sample.expected_status, (path.stem, sample.note, result.feedback)
    return total, within, review, too_generous, over


def figures(name, folder, score, capsys) -> tuple[int, int, list]:
    """Measure a folder as `measure_unseen` does and print its figures: (answers, within 25 %,
    misconception answers above a quarter)."""
    total, within, review, too_generous, _ = measure_unseen(folder, score)
    with capsys.disabled():
        print(f"\n{name} samples: {total}; within 25% of the expected points: {within}; sent to review: {review}; "
              f"misconception answers above a quarter: {len(too_generous)}")
    return total, within, too_generous


# Every set that measures the rubrics, with the floor this file keeps for it: (folder, answers,
# at least this many within a quarter of the part of the expected points, at most this many
# misconception answers above a quarter of the part). `tests/data/rubric_samples/` holds answers
# the rubrics never learn from; `examples/` the rubrics' graded examples, tuned on. A set's history
# (who wrote it and how, what it scored before and after each rubric round) is in its README.md,
# or for an examples folder in examples/README.md. A floor only rises; a set's count changes only
# when an example answer that a newer measuring set holds too leaves the examples. The one
# exception: a course decision on what a claim is worth (tests/data/rubric_samples/README.md,
# "Course decisions") lowered the floors marked so, where an older set's teacher had judged it
# otherwise.
FLOORS = {
    "fresh": (SAMPLES_DIR / "fresh", 81, 81, 0),
    "blind": (SAMPLES_DIR / "blind", 60, 60, 0),
    "blind2": (SAMPLES_DIR / "blind2", 80, 80, 0),
    "blind3": (SAMPLES_DIR / "blind3", 100, 100, 0),
    "blind4": (SAMPLES_DIR / "blind4", 100, 98, 0),
    "blind5": (SAMPLES_DIR / "blind5", 100, 98, 0),  # course decision, round 33
    "blind6": (SAMPLES_DIR / "blind6", 100, 100, 0),
    "blind7": (SAMPLES_DIR / "blind7", 100, 100, 0),
    "blind8": (SAMPLES_DIR / "blind8", 100, 100, 0),
    "blind9": (SAMPLES_DIR / "blind9", 100, 99, 0),
    "blind10": (SAMPLES_DIR / "blind10", 100, 100, 0),
    "blind11": (SAMPLES_DIR / "blind11", 100, 98, 0),  # course decision, round 32
    "blind12": (SAMPLES_DIR / "blind12", 100, 100, 0),
    "blind13": (SAMPLES_DIR / "blind13", 100, 99, 0),
    "blind14": (SAMPLES_DIR / "blind14", 100, 100, 0),
    "blind15": (SAMPLES_DIR / "blind15", 100, 100, 0),
    "blind16": (SAMPLES_DIR / "blind16", 100, 100, 0),
    "blind17": (SAMPLES_DIR / "blind17", 100, 100, 0),
    "blind18": (SAMPLES_DIR / "blind18", 100, 100, 0),
    "blind19": (SAMPLES_DIR / "blind19", 100, 99, 0),
    "blind20": (SAMPLES_DIR / "blind20", 100, 99, 0),  # course decision, round 32
    "blind21": (SAMPLES_DIR / "blind21", 100, 100, 0),
    "blind22": (SAMPLES_DIR / "blind22", 100, 99, 0),
    "blind23": (SAMPLES_DIR / "blind23", 100, 100, 0),
    "blind24": (SAMPLES_DIR / "blind24", 100, 100, 0),
    "blind25": (SAMPLES_DIR / "blind25", 100, 100, 0),
    "blind26": (SAMPLES_DIR / "blind26", 100, 100, 0),
    "blind27": (SAMPLES_DIR / "blind27", 100, 100, 0),
    "blind28": (SAMPLES_DIR / "blind28", 100, 99, 0),  # course decision, round 32
    "blind29": (SAMPLES_DIR / "blind29", 100, 100, 0),
    "blind30": (SAMPLES_DIR / "blind30", 100, 100, 0),
    "blind31": (SAMPLES_DIR / "blind31", 100, 100, 0),
    "blind32": (SAMPLES_DIR / "blind32", 100, 100, 0),
    "blind33": (SAMPLES_DIR / "blind33", 100, 98, 0),
    "blind34": (SAMPLES_DIR / "blind34", 100, 99, 0),
    "blind35": (SAMPLES_DIR / "blind35", 100, 99, 0),  # course decision, round 32
    "blind36": (SAMPLES_DIR / "blind36", 100, 97, 0),  # course decisions, rounds 32 and 50
    "blind37": (SAMPLES_DIR / "blind37", 100, 100, 0),
    "blind38": (SAMPLES_DIR / "blind38", 100, 99, 0),
    "blind39": (SAMPLES_DIR / "blind39", 100, 99, 0),
    "blind40": (SAMPLES_DIR / "blind40", 100, 100, 0),
    "blind41": (SAMPLES_DIR / "blind41", 100, 100, 0),
    "blind42": (SAMPLES_DIR / "blind42", 100, 98, 0),  # course decision, round 32
    "blind43": (SAMPLES_DIR / "blind43", 100, 100, 0),
    "blind44": (SAMPLES_DIR / "blind44", 100, 100, 0),
    "blind45": (SAMPLES_DIR / "blind45", 100, 100, 0),
    "blind46": (SAMPLES_DIR / "blind46", 100, 97, 0),
    "blind47": (SAMPLES_DIR / "blind47", 100, 97, 0),
    "blind48": (SAMPLES_DIR / "blind48", 100, 99, 0),
    "blind49": (SAMPLES_DIR / "blind49", 100, 98, 0),  # course decisions, rounds 32 and 47
    "blind50": (SAMPLES_DIR / "blind50", 100, 100, 0),
    "blind51": (SAMPLES_DIR / "blind51", 100, 100, 0),
    "blind52": (SAMPLES_DIR / "blind52", 100, 100, 0),
    "blind53": (SAMPLES_DIR / "blind53", 100, 99, 0),
    "blind54": (SAMPLES_DIR / "blind54", 100, 100, 0),
    "blind55": (SAMPLES_DIR / "blind55", 100, 100, 0),
    "blind56": (SAMPLES_DIR / "blind56", 100, 100, 0),
    "blind57": (SAMPLES_DIR / "blind57", 100, 99, 0),
    "blind58": (SAMPLES_DIR / "blind58", 100, 100, 0),
    "blind59": (SAMPLES_DIR / "blind59", 100, 100, 0),
    "blind60": (SAMPLES_DIR / "blind60", 100, 100, 0),
    "blind61": (SAMPLES_DIR / "blind61", 100, 100, 0),
    "blind62": (SAMPLES_DIR / "blind62", 100, 99, 0),
    "blind63": (SAMPLES_DIR / "blind63", 100, 97, 0),  # course decision, round 47
    "blind64": (SAMPLES_DIR / "blind64", 100, 100, 0),
    "blind65": (SAMPLES_DIR / "blind65", 100, 100, 0),
    "blind66": (SAMPLES_DIR / "blind66", 100, 100, 0),
    "blind67": (SAMPLES_DIR / "blind67", 100, 100, 0),
    "blind68": (SAMPLES_DIR / "blind68", 100, 100, 0),
    "blind69": (SAMPLES_DIR / "blind69", 100, 100, 0),
    "blind70": (SAMPLES_DIR / "blind70", 100, 100, 0),
    "blind71": (SAMPLES_DIR / "blind71", 100, 100, 0),
    "blind72": (SAMPLES_DIR / "blind72", 100, 100, 0),
    "blind73": (SAMPLES_DIR / "blind73", 100, 100, 0),
    "blind74": (SAMPLES_DIR / "blind74", 100, 100, 0),
    "blind75": (SAMPLES_DIR / "blind75", 100, 100, 0),
    "blind76": (SAMPLES_DIR / "blind76", 100, 100, 0),
    "blind77": (SAMPLES_DIR / "blind77", 100, 100, 0),
    "blind78": (SAMPLES_DIR / "blind78", 100, 100, 0),
    "blind79": (SAMPLES_DIR / "blind79", 100, 100, 0),
    "blind80": (SAMPLES_DIR / "blind80", 100, 99, 0),
    "blind81": (SAMPLES_DIR / "blind81", 100, 100, 0),
    "blind82": (SAMPLES_DIR / "blind82", 100, 100, 0),
    "blind83": (SAMPLES_DIR / "blind83", 100, 100, 0),
    "blind84": (SAMPLES_DIR / "blind84", 100, 99, 0),
    "blind85": (SAMPLES_DIR / "blind85", 100, 100, 0),
    "blind86": (SAMPLES_DIR / "blind86", 100, 100, 0),
    "blind87": (SAMPLES_DIR / "blind87", 100, 100, 0),
    "blind88": (SAMPLES_DIR / "blind88", 100, 100, 0),
    "blind89": (SAMPLES_DIR / "blind89", 100, 100, 0),
    "blind90": (SAMPLES_DIR / "blind90", 100, 100, 0),
    "blind91": (SAMPLES_DIR / "blind91", 100, 100, 0),
    "blind92": (SAMPLES_DIR / "blind92", 100, 100, 0),
    "blind93": (SAMPLES_DIR / "blind93", 100, 96, 0),
    "blind94": (SAMPLES_DIR / "blind94", 100, 100, 0),
    "blind95": (SAMPLES_DIR / "blind95", 100, 96, 0),
    "blind96": (SAMPLES_DIR / "blind96", 100, 99, 0),
    "blind97": (SAMPLES_DIR / "blind97", 100, 99, 0),
    "blind98": (SAMPLES_DIR / "blind98", 100, 100, 0),
    "blind99": (SAMPLES_DIR / "blind99", 100, 100, 0),
    "blind100": (SAMPLES_DIR / "blind100", 100, 100, 0),
    "blind101": (SAMPLES_DIR / "blind101", 100, 100, 0),
    "blind102": (SAMPLES_DIR / "blind102", 100, 98, 0),
    "blind103": (SAMPLES_DIR / "blind103", 100, 99, 0),
    "blind104": (SAMPLES_DIR / "blind104", 100, 98, 0),
    "blind105": (SAMPLES_DIR / "blind105", 100, 100, 0),
    "blind106": (SAMPLES_DIR / "blind106", 100, 99, 0),
    "blind107": (SAMPLES_DIR / "blind107", 100, 100, 0),
    "blind108": (SAMPLES_DIR / "blind108", 100, 98, 0),
    "blind109": (SAMPLES_DIR / "blind109", 100, 100, 0),
    "blind110": (SAMPLES_DIR / "blind110", 100, 100, 0),
    "blind111": (SAMPLES_DIR / "blind111", 100, 100, 0),
    "blind112": (SAMPLES_DIR / "blind112", 100, 100, 0),
    "blind113": (SAMPLES_DIR / "blind113", 100, 100, 0),
    "blind114": (SAMPLES_DIR / "blind114", 100, 100, 0),
    "blind115": (SAMPLES_DIR / "blind115", 100, 100, 0),
    "blind116": (SAMPLES_DIR / "blind116", 100, 100, 0),
    "blind117": (SAMPLES_DIR / "blind117", 100, 99, 0),
    "blind118": (SAMPLES_DIR / "blind118", 100, 100, 0),
    "blind119": (SAMPLES_DIR / "blind119", 100, 100, 0),
    "blind120": (SAMPLES_DIR / "blind120", 100, 100, 0),
    "blind121": (SAMPLES_DIR / "blind121", 100, 100, 0),
    "blind122": (SAMPLES_DIR / "blind122", 100, 99, 0),
    "blind123": (SAMPLES_DIR / "blind123", 100, 100, 0),
    "blind124": (SAMPLES_DIR / "blind124", 100, 100, 0),
    "blind125": (SAMPLES_DIR / "blind125", 100, 100, 0),
    "blind126": (SAMPLES_DIR / "blind126", 100, 99, 0),
    "blind127": (SAMPLES_DIR / "blind127", 100, 100, 0),
    "blind128": (SAMPLES_DIR / "blind128", 100, 100, 0),
    "blind129": (SAMPLES_DIR / "blind129", 100, 98, 0),
    "blind130": (SAMPLES_DIR / "blind130", 100, 100, 0),
    "blind131": (SAMPLES_DIR / "blind131", 100, 100, 0),
    "blind132": (SAMPLES_DIR / "blind132", 100, 100, 0),
    "blind133": (SAMPLES_DIR / "blind133", 100, 100, 0),
    "blind134": (SAMPLES_DIR / "blind134", 100, 99, 0),
    "blind135": (SAMPLES_DIR / "blind135", 100, 100, 0),
    "blind136": (SAMPLES_DIR / "blind136", 100, 100, 0),
    "blind137": (SAMPLES_DIR / "blind137", 100, 100, 0),
    "blind138": (SAMPLES_DIR / "blind138", 100, 98, 0),
    "blind139": (SAMPLES_DIR / "blind139", 100, 100, 0),
    "blind140": (SAMPLES_DIR / "blind140", 100, 100, 0),
    "blind141": (SAMPLES_DIR / "blind141", 100, 100, 0),
    "blind142": (SAMPLES_DIR / "blind142", 100, 100, 0),
    "blind143": (SAMPLES_DIR / "blind143", 100, 99, 0),
    "blind144": (SAMPLES_DIR / "blind144", 100, 100, 0),
    "blind145": (SAMPLES_DIR / "blind145", 100, 100, 0),
    "blind146": (SAMPLES_DIR / "blind146", 100, 100, 0),
    "blind147": (SAMPLES_DIR / "blind147", 100, 100, 0),
    "blind148": (SAMPLES_DIR / "blind148", 100, 99, 0),
    "blind149": (SAMPLES_DIR / "blind149", 100, 98, 0),
    "blind150": (SAMPLES_DIR / "blind150", 100, 100, 0),
    "blind151": (SAMPLES_DIR / "blind151", 100, 100, 0),
    "blind152": (SAMPLES_DIR / "blind152", 100, 100, 0),
    "blind153": (SAMPLES_DIR / "blind153", 100, 100, 0),
    "blind154": (SAMPLES_DIR / "blind154", 100, 100, 0),
    "blind155": (SAMPLES_DIR / "blind155", 100, 100, 0),
    "blind156": (SAMPLES_DIR / "blind156", 100, 100, 0),
    "blind157": (SAMPLES_DIR / "blind157", 100, 100, 0),
    "blind158": (SAMPLES_DIR / "blind158", 100, 100, 0),
    "blind159": (SAMPLES_DIR / "blind159", 100, 100, 0),
    "blind160": (SAMPLES_DIR / "blind160", 100, 99, 0),
    "blind161": (SAMPLES_DIR / "blind161", 100, 99, 0),
    "blind162": (SAMPLES_DIR / "blind162", 100, 100, 0),
    "blind163": (SAMPLES_DIR / "blind163", 100, 100, 0),
    "blind164": (SAMPLES_DIR / "blind164", 100, 100, 0),
    "blind165": (SAMPLES_DIR / "blind165", 100, 100, 0),
    "blind166": (SAMPLES_DIR / "blind166", 100, 91, 11),
    "blind167": (SAMPLES_DIR / "blind167", 100, 98, 0),
    "blind168": (SAMPLES_DIR / "blind168", 100, 97, 2),
    "blind169": (SAMPLES_DIR / "blind169", 100, 93, 7),
    "blind170": (SAMPLES_DIR / "blind170", 100, 99, 0),
    "dev": (EXAMPLES_DIR / "dev", 491, 491, 0),
    "dev2": (EXAMPLES_DIR / "dev2", 564, 564, 0),
    "dev3": (EXAMPLES_DIR / "dev3", 96, 95, 0),
    "dev4": (EXAMPLES_DIR / "dev4", 283, 283, 0),
    "dev5": (EXAMPLES_DIR / "dev5", 545, 545, 0),
    "dev6": (EXAMPLES_DIR / "dev6", 278, 278, 0),
    "dev7": (EXAMPLES_DIR / "dev7", 199, 198, 0),
    "dev8": (EXAMPLES_DIR / "dev8", 200, 200, 0),
    "dev9": (EXAMPLES_DIR / "dev9", 200, 198, 0),
}


# The sets under tests/data/rubric_samples/ share their scores with the measuring sets' test, so
# they run in its worker; the examples' sets (dev*) share nothing, and run in any worker.
@pytest.mark.parametrize("name", [pytest.param(name, marks=MEASURING) if folder.parent == SAMPLES_DIR else name
                                  for name, (folder, *_) in FLOORS.items()])
def test_set_keeps_its_floor(name, rubric_scores, capsys):
    """Each measuring set scores at least as well as its floor; the figures are printed, so a run
    shows where every set stands."""
    folder, answers, floor, most_generous = FLOORS[name]
    total, within, too_generous = figures(name, folder, rubric_scores, capsys)
    assert total == answers, f"{name} holds {total} answers, FLOORS says {answers}"
    assert within >= floor and len(too_generous) <= most_generous, (within, too_generous)


def test_every_measuring_set_has_a_floor():
    """A new set under tests/data/rubric_samples/ measures nothing until it has a floor here."""
    folders = {p.name for p in SAMPLES_DIR.iterdir() if p.is_dir()} - {"heldout"}
    assert folders == {name for name, (folder, *_) in FLOORS.items() if folder.parent == SAMPLES_DIR}



SECOND_TEACHER_DIR = ROOT / "tests" / "data" / "second_teacher"


@pytest.mark.parametrize("name", ["blind4", "blind5", "blind6"])
def test_a_second_teacher_agrees_with_the_blind_sets_points(name, rubrics, capsys):
    """How far the target can be reached: a second teacher, who had read neither the rubrics nor
    the writers' points, graded every blind answer from the questions and the tutorial (the
    answers shuffled, without their notes). tests/data/second_teacher/<set>/<part>.yaml holds
    those points; an id is `<set>-<part>-<index of the answer in the set's file>`.

    The two teachers were within a quarter of the part of each other for 96, 94 and 97 of 100
    answers, and the second paid no misconception answer above a quarter. So the grader's target
    (95 of 100 within a quarter of the writer's points) is about the agreement of two teachers.
    The test keeps the sets' points and the second teacher's together: an edited expected score
    that a second reading would not give shows here."""
    agree = total = 0
    for path in sorted((SAMPLES_DIR / name).glob("*.yaml")):
        rubric = rubrics[path.stem][0]
        second = {item["id"]: item["points"] for item in
                  yaml.safe_load((SECOND_TEACHER_DIR / name / path.name).read_text(encoding="utf-8"))}
        samples = load_samples(path)
        assert len(second) == len(samples), path.name
        for index, sample in enumerate(samples):
            points = second[f"{name}-{path.stem}-{index}"]
            total += 1
            agree += within_tolerance(points, sample.expected_points, rubric.points)
            if sample.note.startswith("misconception"):
                assert points <= 0.25 * rubric.points, (path.stem, index, points)
    with capsys.disabled():
        print(f"\n{name}: two teachers within a quarter of the part of each other for {agree} of {total} answers")
    assert total == 100 and agree >= 94, agree
