"""The ten text parts against sample answers: expected provisional score and status, as tables.

SAMPLES comes from problems/mlp_cnn/rubrics/examples/tuned/<part>.yaml (files `grader rubric-test`
reads, and graded examples of the rubrics): for each part, full, partial, wrong and negated or misconceived answers, in English and
French, with the points and status an instructor gives. A sample is scored right when the
provisional points are within 25 % of the part's points of the expected points and the status is
the expected one. Every part is also checked on empty, copied-prompt, very long, over-long and
off-language answers, and on English/French translations of the same answer.
"""

from __future__ import annotations

import pytest
import yaml

from grader.rubric import score_answer
from grader.rubric.samples import load_samples
from grader.rubric.tune import within_tolerance
from tests.conftest import ROOT, SET_DIR

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


def test_heldout_figures(rubrics, capsys):
    """Answers written after the rubrics were frozen and never tuned on: a regression floor.

    Measured when written: 27 of 32 within 25 %, none sent to review; every miss under-scores a
    paraphrase the rubric does not know (none over-scores), which the confidence cannot see.
    """
    total, within, review, _, over = measure_unseen(HELDOUT_DIR, rubrics)
    with capsys.disabled():
        print(f"\nheld-out samples: {total}; within 25% of the expected points: {within}; sent to review: {review}")
    assert total >= 30 and within >= 0.8 * total and over == 0


FRESH_DIR = SAMPLES_DIR / "fresh"
BLIND_DIR = SAMPLES_DIR / "blind"


def measure_unseen(folder, rubrics) -> tuple[int, int, int, list, int]:
    """Score a folder of answers the rubrics were not tuned on: (answers, within 25 % of the
    expected points, sent to review, misconception answers given more than a quarter of the part,
    answers scored more than a quarter of the part above their expected points).
    An answer's `expected_status`, when it has one, must be met."""
    total = within = review = over = 0
    too_generous = []
    for path in sorted(folder.glob("*.yaml")):
        rubric, prompt, _ = rubrics[path.stem]
        for sample in load_samples(path):
            result = score_answer(rubric, sample.answer, prompt)
            total += 1
            within += within_tolerance(result.points, sample.expected_points, rubric.points)
            review += result.status == "needs_review"
            over += result.points > sample.expected_points + 0.25 * rubric.points + 1e-9
            if sample.note.startswith("misconception") and result.points > 0.25 * rubric.points + 1e-9:
                too_generous.append((path.stem, sample.note, result.points))
            if sample.expected_status is not None:
                assert result.status == sample.expected_status, (path.stem, sample.note, result.feedback)
    return total, within, review, too_generous, over


def figures(name, folder, rubrics, capsys) -> tuple[int, int, list]:
    """Measure a folder as `measure_unseen` does and print its figures: (answers, within 25 %,
    misconception answers above a quarter)."""
    total, within, review, too_generous, _ = measure_unseen(folder, rubrics)
    with capsys.disabled():
        print(f"\n{name} samples: {total}; within 25% of the expected points: {within}; sent to review: {review}; "
              f"misconception answers above a quarter: {len(too_generous)}")
    return total, within, too_generous


def test_fresh_figures(rubrics, capsys):
    """Answers written from the prompts alone, before the rubrics were read; never tuned on.

    Measured when frozen (before the stemmed, clause-scoped matcher): 66 of 81 within 25 %, 5
    over-scored, 3 misconception answers above a quarter of the part. A misconception answer
    (its note starts with "misconception") must never earn more than a quarter of the part.
    """
    total, within, too_generous = figures("fresh", FRESH_DIR, rubrics, capsys)
    assert total >= 60 and within >= 0.95 * total and not too_generous, too_generous


def test_blind_figures(rubrics, capsys):
    """A second set written without reading the rubrics and frozen before the grader saw it.

    Measured when frozen: 56 of 60 within 25 % (93.3 %), no misconception answer above a quarter.
    The four misses: two under-credits (a segmentation network described without naming it; "the
    randomness breaks the computational graph") and two over-credits where the rubric pays in full
    what the writer would pay half ("same sign as the input", a unimodal Gaussian). After the rubric
    work of the next round: 58 of 60. That work could read the four misses named here, so this set
    is no longer blind; tests/data/rubric_samples/blind2 took its place. This test keeps the floor.
    """
    total, within, too_generous = figures("blind", BLIND_DIR, rubrics, capsys)
    assert total >= 60 and within >= 58 and not too_generous, (within, too_generous)


DEV_DIR = EXAMPLES_DIR / "dev"


def test_dev_figures(rubrics, capsys):
    """Development answers written from the questions to drive the rubrics towards ideas described
    rather than named, secondary remarks paid in part, French, and misconceptions stated with a
    concept's own words (each batch measured before the rubrics were changed for it).

    Measured before the rubrics were changed for it: the first batch 65 of 86 within 25 %, the
    second 34 of 42, the third 25 of 30 (each with misconception answers above a quarter), the
    fourth (French versions of English answers, and new phrasings) 29 of 32, the fifth (wrong
    answers in the words the rubrics had learnt) 15 of 18, the sixth (lists, informal French,
    typos, a long answer) 17 of 22, the seventh (wrong answers and side remarks in the rubrics'
    words) 21 of 24; then guards written while auditing the broad phrases; the eighth (more
    paraphrases of the main ideas) 15 of 20; then guards from answers to other questions; the
    ninth (the side ideas described) 14 of 17, the tenth (ideas stated through a negation) 9 of 10,
    the eleventh (misconceptions in the concepts' own words) 2 of 6, the twelfth (described, not
    named, in other words again) 12 of 20, the thirteenth (full answers in a student's own words)
    5 of 9, the fourteenth 9 of 12, the fifteenth (French in other words) 9 of 13, the sixteenth
    (short answers, French mixed with English) 11 of 11, the seventeenth (wrong answers that sound
    right) 9 of 11, the eighteenth 5 of 7, the nineteenth (French misconceptions) 11 of 11, the
    twentieth (partial answers on the one-point parts) 8 of 10, the twenty-first (partial answers on
    the two-point parts) 8 of 8, the twenty-second (described, not named, once more) 4 of 10, the
    twenty-third (the same, French and English) 8 of 12, the twenty-fourth 3 of 6, the twenty-fifth
    6 of 11, the twenty-sixth 3 of 10; then guards from answers to other questions; the
    twenty-seventh 5 of 6. This test keeps the figure reached:
    every answer within 25 %, no misconception answer above a quarter of the part.
    """
    total, within, too_generous = figures("dev", DEV_DIR, rubrics, capsys)
    assert total >= 120 and within == total and not too_generous, (within, too_generous)


BLIND2_DIR = SAMPLES_DIR / "blind2"


def test_blind2_figures(rubrics, capsys):
    """A third set, 80 answers written from the prompts and the tutorial alone and frozen before the
    grader first saw them.

    Measured when frozen: 62 of 80 within 25 % (77.5 %), 5 misconception answers above a quarter
    of the part. After the rubric work that never saw it (described ideas, `unless`, side remarks
    at half): 64 of 80 (80.0 %), 4 misconception answers above a quarter. It was then opened and
    tuned on, in the round that also wrote the dev2 answers: 79 of 80, none above a quarter. It is
    development data now; blind3 took its place. This test keeps the figure.
    """
    total, within, too_generous = figures("blind2", BLIND2_DIR, rubrics, capsys)
    assert total == 80 and within >= 79 and not too_generous, (within, too_generous)


DEV2_DIR = EXAMPLES_DIR / "dev2"
DEV3_DIR = EXAMPLES_DIR / "dev3"


def test_dev2_figures(rubrics, capsys):
    """The second round of development answers (568, in batches, each scored before the rubrics
    changed for it): 436 of 568 within 25 % before their batches were tuned on, which is what new
    wording costs the rubrics. This test keeps the figure reached: every answer within 25 %, no
    misconception answer above a quarter of the part."""
    total, within, too_generous = figures("dev2", DEV2_DIR, rubrics, capsys)
    assert total >= 500 and within == total and not too_generous, (within, too_generous)


def test_dev3_figures(rubrics, capsys):
    """100 answers written from the prompts and the tutorial alone by someone who had not read the
    rubrics, as a different population of students (terse, rambling, non-native, casual French).
    Measured before the first rubric round of its stop: 86 of 100; after it, which never saw them:
    89 of 100, 3 misconception answers above a quarter. They then joined the rubrics' graded
    examples (which change no score) and were tuned on in the second round: 98 of 100, none above
    a quarter. Three of them were taken out when blind11 and blind12 held them word for word (a
    bare keyword list and two one-line answers); 95 of the 97 left, 96 after the ninth round. This
    test keeps the figure."""
    total, within, too_generous = figures("dev3", DEV3_DIR, rubrics, capsys)
    assert total == 97 and within >= 96 and not too_generous, (within, too_generous)


DEV4_DIR = EXAMPLES_DIR / "dev4"


def test_dev4_figures(rubrics, capsys):
    """The development answers of the second rubric round (284, in batches, each scored before the
    rubrics changed for it): 237 of 284 within 25 % (83 %) before their batches were tuned on. This
    test keeps the figure reached: every answer within 25 %, none above a quarter."""
    total, within, too_generous = figures("dev4", DEV4_DIR, rubrics, capsys)
    assert total >= 280 and within == total and not too_generous, (within, too_generous)


DEV5_DIR = EXAMPLES_DIR / "dev5"


def test_dev5_figures(rubrics, capsys):
    """The development answers of the third rubric round (548, in batches, each scored before the
    rubrics changed for it; 462 of 548 within 25 % before their batches were tuned on). This test
    keeps the figure reached: every answer within 25 %, none above a quarter."""
    total, within, too_generous = figures("dev5", DEV5_DIR, rubrics, capsys)
    assert total >= 540 and within == total and not too_generous, (within, too_generous)


BLIND3_DIR = SAMPLES_DIR / "blind3"


def test_blind3_figures(rubrics, capsys):
    """100 answers (10 per text part, 61 English and 39 French) written from the prompts and the
    tutorial alone by someone who had not read the rubrics, and frozen in a commit of their own
    before the grader first saw them. It was the blind set of the first rubric round of its stop,
    measured once: 86 of 100 within 25 %, 1 misconception answer above a quarter. It was then
    opened and tuned on in the second round (94 of 100, none above a quarter; 95 once keyword lists
    keep three quarters of their points): development data now, never among the examples. This
    test keeps the figure."""
    total, within, too_generous = figures("blind3", BLIND3_DIR, rubrics, capsys)
    assert total == 100 and within >= 95 and not too_generous, (within, too_generous)


BLIND4_DIR = SAMPLES_DIR / "blind4"


def test_blind4_figures(rubrics, capsys):
    """100 answers (10 per text part, 67 English and 33 French) written from the prompts and the
    tutorial alone by someone who had not read the rubrics, frozen in a commit of their own before
    the grader first saw them; never among the examples.

    Measured once, after the second rubric round: 89 of 100 within 25 % (English 58 of 67, French
    31 of 33), 1 misconception answer above a quarter of the part; 25 sent to review, and 5 of the
    11 misses among them. With keyword lists keeping three quarters of their points (a choice
    measured on every sample folder: it changed no other figure), 90. It was then opened and tuned
    on in the third round: 96 of 100, none above a quarter. This test keeps the figure.
    """
    total, within, too_generous = figures("blind4", BLIND4_DIR, rubrics, capsys)
    assert total == 100 and within >= 96 and not too_generous, (within, too_generous)


BLIND5_DIR = SAMPLES_DIR / "blind5"


def test_blind5_figures(rubrics, capsys):
    """100 answers (10 per text part, 60 English and 40 French) written from the prompts and the
    tutorial alone by someone who had not read the rubrics, frozen in a commit of their own before
    the grader first saw them; never among the examples.

    Measured once after the third rubric round: 87 of 100 within 25 % (English 53 of 60, French 34
    of 40), 2 misconception answers above a quarter of the part; 15 sent to review. Before that
    round (figures only, no answer read) the same set scored 89, with 2 above a quarter: the third
    round's 550 development answers gained nothing on new wording (2 answers lost, none gained).
    It was then opened and tuned on in the fourth and fifth rounds (92 of 100, none above a
    quarter), and the sixth round's work on blind7 took it to 95; this test keeps the figure."""
    total, within, too_generous = figures("blind5", BLIND5_DIR, rubrics, capsys)
    assert total == 100 and within >= 95 and not too_generous, (within, too_generous)

BLIND6_DIR = SAMPLES_DIR / "blind6"


def test_blind6_figures(rubrics, capsys):
    """100 answers (10 per text part, 60 English and 40 French) written from the prompts and the
    tutorial alone by another writer who had not read the rubrics, frozen in a commit of their own
    before the grader first saw them; never among the examples.

    Measured once after the fourth rubric round: 96 of 100 within 25 % (English 57 of 60, French 39
    of 40), 1 misconception answer above a quarter of the part; 21 sent to review. Before the third
    round (figures only, no answer read) it scored 91, with 2 above a quarter. It was then opened
    and tuned on in the fifth round (99 of 100, none above a quarter); this test keeps the figure."""
    total, within, too_generous = figures("blind6", BLIND6_DIR, rubrics, capsys)
    assert total == 100 and within >= 99 and not too_generous, (within, too_generous)


BLIND7_DIR = SAMPLES_DIR / "blind7"


def test_blind7_figures(rubrics, capsys):
    """The honest measure: 100 answers (10 per text part, 68 English and 32 French) written from the
    prompts and the tutorial alone by someone who had not read the rubrics, frozen in a commit of
    their own before the grader first saw them; never tuned on, nor among the examples.

    Measured once, after the fifth rubric round (which aimed at misconception answers): 87 of 100
    within 25 % (English 60 of 68, French 27 of 32), 5 misconception answers above a quarter of the
    part; 19 sent to review. The target is 95 and none. The same rubrics give 99 on blind6, which
    they were tuned on, and blind6 gave 96 when it was measured: one set of 100 answers is a noisy
    measure, and this writer's misconceptions borrow the concepts' words more than the others'. The
    misses are not listed here, so that whoever tunes next cannot read them: the set stays blind.
    The sixth round tuned on it once blind8 had been written (100 of 100, none above a quarter);
    this test keeps that figure."""
    total, within, too_generous = figures("blind7", BLIND7_DIR, rubrics, capsys)
    assert total == 100 and within >= 100 and not too_generous, (within, too_generous)


BLIND8_DIR = SAMPLES_DIR / "blind8"


def test_blind8_figures(rubrics, capsys):
    """The honest measure of the sixth rubric round: 100 answers (10 per text part, 70 English and
    30 French) written from the prompts and the tutorial alone by someone who had not read the
    rubrics, frozen in a commit of their own before the grader first saw them; never among the
    examples.

    Printed once before the sixth round (totals only, no answer read): 90 of 100, 1 misconception
    answer above a quarter. Measured once after it: 92 of 100 within 25 % (English 65 of 70, French
    27 of 30), 1 misconception answer above a quarter of the part, 18 sent to review. The target is
    95 and none. The seventh round then tuned on it (97, none above a quarter), and the eighth
    kept it (99, none); this test keeps that figure."""
    total, within, too_generous = figures("blind8", BLIND8_DIR, rubrics, capsys)
    assert total == 100 and within >= 99 and not too_generous, (within, too_generous)

BLIND9_DIR = SAMPLES_DIR / "blind9"
BLIND10_DIR = SAMPLES_DIR / "blind10"


def test_blind9_figures(rubrics, capsys):
    """100 answers (10 per text part, 64 English and 36 French) written from the prompts and the
    tutorial alone by someone who had not read the rubrics, frozen in a commit of their own before
    the grader first saw them; never tuned on, nor among the examples.

    Measured once with the sixth round's rubrics (it was written while the seventh round began, and
    frozen before any of it was merged): 91 of 100 within 25 % (English 58 of 64, French 33 of 36),
    1 misconception answer above a quarter of the part; 22 sent to review. The target is 95 and
    none. Measured once more after the seventh round (a short one, tuned on blind8): the same 91
    and 1. The eighth round tuned on it: 97, none above a quarter. This test keeps the floor."""
    total, within, too_generous = figures("blind9", BLIND9_DIR, rubrics, capsys)
    assert total == 100 and within >= 97 and not too_generous, (within, too_generous)


def test_blind10_figures(rubrics, capsys):
    """100 answers (10 per text part, 69 English and 31 French) by a second writer under the same
    rules as blind9, at the same time; three short answers ("U-Net.", "It has an encoder and a
    decoder." and a keyword list) also stand in earlier sets, since two students write them alike.

    Measured once with the sixth round's rubrics: 93 of 100 within 25 % (English 63 of 69, French
    30 of 31), 2 misconception answers above a quarter of the part; 14 sent to review. Over the
    three sets written after the sixth round began (blind8, blind9, blind10): 276 of 300 (92 %),
    4 misconception answers above a quarter. Measured once more after the seventh round: the same
    93 and 2. The eighth round tuned on it: 100, none above a quarter. This test keeps the floor."""
    total, within, too_generous = figures("blind10", BLIND10_DIR, rubrics, capsys)
    assert total == 100 and within >= 100 and not too_generous, (within, too_generous)


BLIND11_DIR = SAMPLES_DIR / "blind11"
BLIND12_DIR = SAMPLES_DIR / "blind12"
BLIND13_DIR = SAMPLES_DIR / "blind13"


def test_blind11_figures(rubrics, capsys):
    """100 answers (10 per text part, 60 English and 40 French) written from the prompts and the
    tutorial alone by someone who had not read the rubrics, frozen in a commit of their own while
    the eighth round was under way and before any of it was merged; never among the examples.
    Four short answers ("U-Net.", "skip connections", "Leaky ReLU and ELU." and an off-topic
    definition of ReLU) also stand in earlier sets: students write them alike.

    Printed once before the eighth round was merged (totals only): 93 of 100, 2 misconception
    answers above a quarter. Measured once after it: the same 93 (English 55 of 60, French 38 of
    40) and 2, 23 sent to review. The target is 95 and none. The ninth round then tuned on it: 96,
    none above a quarter. This test keeps the floor."""
    total, within, too_generous = figures("blind11", BLIND11_DIR, rubrics, capsys)
    assert total == 100 and within >= 96 and not too_generous, (within, too_generous)


def test_blind12_figures(rubrics, capsys):
    """100 answers (70 English, 30 French) by a second writer under the same rules, at the same
    time as blind11; "Skip connections." also stands in earlier sets.

    Printed once before the eighth round was merged: 94 of 100, none above a quarter. Measured
    once after it: 95 of 100 (English 65 of 70, French 30 of 30), no misconception answer above a
    quarter, 14 sent to review. The ninth round then tuned on it: 98, none above a quarter. This
    test keeps the floor."""
    total, within, too_generous = figures("blind12", BLIND12_DIR, rubrics, capsys)
    # 99 after the eleventh round, which tuned on blind16 to blind18.
    assert total == 100 and within >= 99 and not too_generous, (within, too_generous)


def test_blind13_figures(rubrics, capsys):
    """100 answers (60 English, 40 French) by a third writer under the same rules, frozen while
    the eighth round was under way; a few one-line answers also stand in earlier sets.

    Printed once before the eighth round was merged: 96 of 100, none above a quarter. Measured
    once after it: 95 of 100 (English 56 of 60, French 39 of 40), 1 misconception answer above a
    quarter (the round made the sampling step named alone worth half a point, and a misconception
    that names it now earns that half), 19 sent to review. Over the three sets written during the
    eighth round: 283 of 300 (94.3 %) before it and after it, 2 then 3 misconception answers above
    a quarter. The ninth round then tuned on it: 97, none above a quarter. This test keeps the
    floor."""
    total, within, too_generous = figures("blind13", BLIND13_DIR, rubrics, capsys)
    # 98 after the eleventh round, which tuned on blind16 to blind18.
    assert total == 100 and within >= 98 and not too_generous, (within, too_generous)


BLIND14_DIR = SAMPLES_DIR / "blind14"
BLIND15_DIR = SAMPLES_DIR / "blind15"


def test_blind14_figures(rubrics, capsys):
    """100 answers (61 English, 39 French) written from the prompts and the tutorial alone by a
    writer who had not read the rubrics, once the eighth round was merged, and frozen before the
    grader first ran on them and before the ninth round was merged. Seven short answers ("Skip
    connections.", "It has an encoder and a decoder.", "It's faster to compute." and others) also
    stand in earlier sets.

    Measured once with the eighth round's rubrics: 96 of 100 within 25 % (English 59 of 61, French
    37 of 39), 1 misconception answer above a quarter, 14 sent to review. Over the five sets
    written since the eighth round began (blind11 to blind15): 475 of 500 (95 %), 6 misconception
    answers above a quarter; the target is 95 % and none.

    Measured once more after the ninth round (tuned on blind11 to blind13, never on this set): 97
    of 100 (English 60 of 61, French 37 of 39), no misconception answer above a quarter, 13 sent
    to review. The tenth round then tuned on it: 100, none above a quarter. This test keeps the
    floor."""
    total, within, too_generous = figures("blind14", BLIND14_DIR, rubrics, capsys)
    assert total == 100 and within >= 100 and not too_generous, (within, too_generous)


def test_blind15_figures(rubrics, capsys):
    """100 answers (62 English, 38 French) by a second writer under the same rules, at the same
    time as blind14; "Skip connections." also stands in earlier sets.

    Measured once with the eighth round's rubrics: 96 of 100 (English 59 of 62, French 37 of 38),
    2 misconception answers above a quarter, 15 sent to review. Measured once more after the ninth
    round (never tuned on it): the same 96 and 2 (a dying ReLU named then denied, with the wrong
    layers; an auto-encoder whose middle is said not to be smaller). Over blind14 and blind15 after
    the ninth round: 193 of 200 (96.5 %), 2 misconception answers above a quarter. The tenth round
    then tuned on it: 100, none above a quarter. This test keeps the floor."""
    total, within, too_generous = figures("blind15", BLIND15_DIR, rubrics, capsys)
    assert total == 100 and within >= 100 and not too_generous, (within, too_generous)


BLIND16_DIR = SAMPLES_DIR / "blind16"
BLIND17_DIR = SAMPLES_DIR / "blind17"
BLIND18_DIR = SAMPLES_DIR / "blind18"


def test_blind16_figures(rubrics, capsys):
    """100 answers (61 English, 39 French) by a writer who had not read the rubrics, written while
    the tenth round was under way and frozen before the grader first ran on them.

    Printed once with the ninth round's rubrics: 93 of 100, 1 misconception answer above a quarter.
    Measured once after the tenth round (tuned on blind14 and blind15, never on this set) and its
    engine changes: 95 of 100 (English 60 of 61, French 35 of 39), none above a quarter, 18 sent
    to review. The eleventh round then tuned on it: 99, none above a quarter. This test keeps the
    floor."""
    total, within, too_generous = figures("blind16", BLIND16_DIR, rubrics, capsys)
    assert total == 100 and within >= 99 and not too_generous, (within, too_generous)


def test_blind17_figures(rubrics, capsys):
    """100 answers (50 English, 50 French) by a second writer at the same time as blind16, for a
    bilingual class.

    Printed once with the ninth round's rubrics: 96 of 100, 2 misconception answers above a
    quarter. Measured once after the tenth round: 97 of 100 (English 48 of 50, French 49 of 50),
    1 above a quarter (a 1x1 convolution said to be the identity up to a scale, with a channel
    concept matched inside the denial), 17 sent to review. The eleventh round then tuned on it: 98,
    none above a quarter. This test keeps the floor."""
    total, within, too_generous = figures("blind17", BLIND17_DIR, rubrics, capsys)
    assert total == 100 and within >= 98 and not too_generous, (within, too_generous)


def test_blind18_figures(rubrics, capsys):
    """100 answers (60 English, 40 French) by a third writer at the same time, as hurried exam
    answers.

    Printed once with the ninth round's rubrics: 94 of 100, 2 misconception answers above a
    quarter. Measured once after the tenth round: 94 of 100 (English 58 of 60, French 36 of 40),
    2 above a quarter (the gradient advantage denied because "elle sature comme la sigmoïde";
    Leaky ReLU misdescribed), 18 sent to review. Over blind16 to blind18 after the tenth round:
    286 of 300 (95.3 %), 3 misconception answers above a quarter (283 and 5 before it). The
    eleventh round then tuned on it: 98, none above a quarter. This test keeps the floor."""
    total, within, too_generous = figures("blind18", BLIND18_DIR, rubrics, capsys)
    assert total == 100 and within >= 98 and not too_generous, (within, too_generous)


BLIND19_DIR = SAMPLES_DIR / "blind19"
BLIND20_DIR = SAMPLES_DIR / "blind20"
BLIND21_DIR = SAMPLES_DIR / "blind21"


def test_blind19_figures(rubrics, capsys):
    """100 answers (70 English, 30 French) by a writer who had not read the rubrics, written as a
    class that half-remembers the material from slides (many partial answers, confident wrong
    claims in the right words); frozen before the eleventh round was merged and before the grader
    first ran on them.

    Measured once after the eleventh round (tuned on blind16 to blind18, never on this set): 91 of
    100 (English 62 of 70, French 29 of 30), 2 misconception answers above a quarter (p4.2: the
    Gaussian too simple for sharp images; sigma said possibly negative), 22 sent to review. This
    test keeps the floor."""
    total, within, too_generous = figures("blind19", BLIND19_DIR, rubrics, capsys)
    assert total == 100 and within >= 91 and len(too_generous) <= 2, (within, too_generous)


def test_blind20_figures(rubrics, capsys):
    """100 answers (40 English, 60 French) by a second writer at the same time, for a French class.

    Measured once after the eleventh round: 97 of 100 (English 40 of 40, French 57 of 60), 1
    misconception answer above a quarter (p3.4: the vanishing gradient named beside a zero-centred
    output and a gradient never zero), 20 sent to review. This test keeps the floor."""
    total, within, too_generous = figures("blind20", BLIND20_DIR, rubrics, capsys)
    assert total == 100 and within >= 97 and len(too_generous) <= 1, (within, too_generous)


def test_blind21_figures(rubrics, capsys):
    """100 answers (68 English, 32 French) by a third writer at the same time, with lengths mixed
    on purpose: one-liners, long paragraphs that wander, small numeric examples instead of
    definitions.

    Measured once after the eleventh round: 89 of 100 (English 58 of 68, French 31 of 32), 1
    misconception answer above a quarter (p1.5: skip connections named, their role for the
    gradient denied), 23 sent to review. Over blind19 to blind21: 277 of 300 (92.3 %), 4
    misconception answers above a quarter; the target is 95 % and none. This test keeps the
    floor."""
    total, within, too_generous = figures("blind21", BLIND21_DIR, rubrics, capsys)
    assert total == 100 and within >= 89 and len(too_generous) <= 1, (within, too_generous)


DEV6_DIR = EXAMPLES_DIR / "dev6"


def test_dev6_figures(rubrics, capsys):
    """Answers by two writers who had not read the rubrics: 261 of 295 within 25 % before the fourth
    round tuned on them. Three answers identical to one of a measuring set were taken out (one of
    them when blind8 was written); 288 of the 292 after the sixth round. One more, a bare keyword
    list that blind12 holds too, left with blind12: 287 of 291; and a French answer that blind14
    holds too, with blind14: 287 of 290; and a French answer that blind17 holds too, with blind17:
    286 of 289; and an English one that blind19 holds too, with blind19: 285 of 288; and a French one
    that blind21 holds too, with blind21: 284 of 287; and a French one that blind22 holds too, with
    blind22: 284 of 286; and an English one that blind23 holds too, with blind23: 283 of 285. This
    test keeps the figure reached."""
    total, within, too_generous = figures("dev6", DEV6_DIR, rubrics, capsys)
    assert total == 285 and within >= 283 and not too_generous, (within, too_generous)

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
