"""Questions the way people type them, answered from the bundled digest (extractive, real store).

Each test is a behaviour a user relies on: filler words do not decide the answer, follow-ups
stay with the paper they refer to, lists are complete, comparisons answer for each paper, a
paper that is not in the collection is said to be absent, and answers lead with the fact.
"""

from __future__ import annotations

import re

import pytest

from assistant import Answer, Assistant
from assistant.answering.ranking import figures

INT4 = "Training Transformers with 4-bit Integers"
BITPIPE = (
    "BitPipe: Bidirectional Interleaved Pipeline Parallelism for Accelerating Large Models Training"
)
GAUSSIAN = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"
LLM_QAT = "LLM-QAT: Data-Free Quantization Aware Training for Large Language Models"
GPTVQ = "GPTVQ: The Blessing of Dimensionality for LLM Quantization"
LQ_LORA = (
    "LQ-LoRA: Low-rank Plus Quantized Matrix Decomposition for Efficient Language Model Finetuning"
)
ALPAGASUS = "AlpaGasus: Training A Better Alpaca with Fewer Data"
MIO = "MIO: A Foundation Model on Multimodal Tokens"
ONCE_FOR_ALL = "Once-for-All: Train One Network and Specialize it for Efficient Deployment"
GLVQ = "Learning Grouped Lattice Vector Quantizers for Low-Bit LLM Compression"
MEGATRON = "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM"
CROSSSPLIT = "CrossSplit: Mitigating Label Noise Memorization through Data Splitting"
LOLDU = (
    "LoLDU: Low-Rank Adaptation via Lower-Diag-Upper Decomposition for Parameter-Efficient "
    "Fine-Tuning"
)
FIRA = "Fira: Can We Achieve Full-rank Training of LLMs Under Low-rank Constraint?"
ZIPAR = "ZipAR: Accelerating Autoregressive Image Generation through Spatial Locality"
HIFI_CODEC = "HiFi-Codec: Group-residual Vector quantization for High Fidelity Audio Codec"
FEW_SHOT = "A Closer Look at Few-shot Classification Again"
DREAM_ENGINE = (
    "Multimodal Representation Alignment for Image Generation: "
    "Text-Image Interleaved Control Is Easier Than You Think"
)


def cited(answer: Answer) -> list[str]:
    return [c.title for c in answer.citations]


def converse(assistant: Assistant, *questions: str) -> list[str | Answer]:
    """Ask ``questions`` in turn, each with the answers before it as its history."""
    history: list[str | Answer] = []
    for question in questions:
        history.append(assistant.ask(question, history=history))
    return history


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("How much faster is INT4 training?", INT4),  # "faster" must not pick the paper
        ("Please describe BitPipe briefly", BITPIPE),  # "please", "briefly" are not topics
        ("Summarize the 3D Gaussian Splatting paper", GAUSSIAN),
        ("wat is gausian splating and how fast does it rendr?", GAUSSIAN),  # typos
        # a typo of a question word is not a paper called "wich"
        ("wich paper does lattice vector quantisation", GLVQ),
    ],
)
def test_everyday_words_and_typos_do_not_decide_the_answer(
    assistant: Assistant, question: str, title: str
) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and cited(answer) == [title]


def test_a_name_typed_without_its_hyphens_is_still_the_name(assistant: Assistant) -> None:
    # "once", "for" and "all" are function words: only the hyphenated name carries meaning
    answer = assistant.ask("can you tell me what once for all does")
    assert not answer.abstained and cited(answer) == [ONCE_FOR_ALL]
    # two words the papers write as one ("FlashAttention")
    writes_it = {p.title for p in assistant.papers() if "FlashAttention" in p.abstract}
    answer = assistant.ask("does flash attention appear anywhere")
    assert writes_it and set(cited(answer)) == writes_it
    # ... but "video llms" is also "video" and "LLMs" apart, not only "VideoLLM"
    listed = assistant.ask("what's in here about video LLMs?")
    assert len(listed.citations) >= 3
    abstracts = {p.title: f"{p.title} {p.abstract}".casefold() for p in assistant.papers()}
    assert all("video" in abstracts[t] for t in cited(listed))


def test_lower_case_plurals_typos_in_endings_and_measures(assistant: Assistant) -> None:
    # "llms" is "LLMs"; "quantizaton" is "quantization"; "4-bit" describes papers, it does not
    # name the one paper whose title has it
    answer = assistant.ask("which papers do 4-bit quantizaton of llms")
    assert answer.intent == "list" and {LLM_QAT, INT4, LQ_LORA} <= set(cited(answer))
    assert "does not mention" not in answer.text


def test_what_problem_a_paper_solves_is_the_gap_it_names(assistant: Assistant) -> None:
    answer = assistant.ask("what problem does 3d gaussian splatting solve")
    assert cited(answer) == [GAUSSIAN] and "does not mention" not in answer.text
    assert "no current method can achieve real-time display rates" in answer.text


def test_a_long_question_with_context_is_answered_and_a_refusal_never_echoes_it(
    assistant: Assistant,
) -> None:
    context = (
        "I'm writing the related-work section of my thesis and my advisor keeps asking for more "
        "background, so I have been reading a lot this week. "
    )
    answer = assistant.ask(
        context + "Which paper argues that the 'alignment tax' is not only lost accuracy but "
        "also overconfident models?"
    )
    assert cited(answer)[0].startswith("Navigating the Alignment-Calibration Trade-off")
    off_topic = assistant.ask(context * 4 + "How do Arctic terns navigate their migration?")
    assert off_topic.abstained and not off_topic.citations
    assert len(off_topic.text) < 200 and "thesis" not in off_topic.text


def test_which_papers_lists_every_paper_that_matches(assistant: Assistant) -> None:
    answer = assistant.ask("Which papers propose LoRA variants?")
    variants = {"NLoRA", "LoLDU", "CorDA", "LQ-LoRA", "SwitchLoRA"}
    found = {t.split(":")[0] for t in cited(answer)} & variants
    assert len(found) >= 4, cited(answer)
    assert answer.intent == "list" and len(answer.parts) == len(answer.citations)
    lines = answer.text.splitlines()
    assert sum(line.startswith("- ") for line in lines) == len(answer.citations)


def test_a_list_leaves_out_papers_that_share_only_part_of_the_topic(
    assistant: Assistant,
) -> None:
    # the oracle: the papers that write "mixture of experts" ("a mixture of data" is not it)
    expected = {
        p.title
        for p in assistant.papers()
        if re.search(r"mixture[- ]of[- ]experts", f"{p.title} {p.abstract}", re.IGNORECASE)
    }
    answer = assistant.ask("papers about mixture of experts")
    assert expected and set(cited(answer)) == expected
    if len(expected) == 1:  # asked for several, it says there is one
        assert answer.text.startswith("One paper in this collection matches")


def test_an_entity_list_finds_every_abstract_that_names_it(assistant: Assistant) -> None:
    # The oracle: every paper whose title or abstract writes "CLIP" (in capitals).
    expected = {
        p.title
        for p in assistant.papers()
        if re.search(r"(?<![\w-])CLIP(?![a-z])", f"{p.title} {p.abstract}")
    }
    assert len(expected) >= 5
    answer = assistant.ask("which papers mention CLIP?")
    assert set(cited(answer)) == expected
    # each paper's line is the sentence that names it, not one about the paper's own topic
    answer = assistant.ask("which papers use CLIP in some way")
    assert set(cited(answer)) == expected
    for line in answer.text.splitlines()[1:]:
        assert "CLIP" in line.split(" [")[0], line
    opt = assistant.ask("Which papers report results on OPT models?")
    assert cited(opt)
    for c in opt.citations:  # "opt for" is not the OPT models
        paper = next(p for p in assistant.papers() if p.paper_id == c.paper_id)
        assert re.search(r"(?<![\w-])OPT", paper.abstract)


def test_an_adverb_of_manner_does_not_put_a_paper_on_a_list(assistant: Assistant) -> None:
    # the S3T abstract shares only "explicitly" with this question
    answer = assistant.ask("which studies explicitly deal with deployment on edge devices")
    assert ONCE_FOR_ALL in cited(answer)
    assert not any("Machine Unlearning" in t for t in cited(answer))


def test_what_a_list_asks_of_each_paper_does_not_decide_the_list(assistant: Assistant) -> None:
    # "what speedups do they report" is asked of the papers listed; it does not list a paper
    # on speeding up diffusion decoding
    answer = assistant.ask("which papers do pipeline parallelism and what speedups do they report")
    assert any(t.startswith("BitPipe") for t in cited(answer))
    assert not any(t.startswith("Learning to Parallel") for t in cited(answer))


def test_which_paper_says_x_is_answered_by_the_paper_that_states_x(assistant: Assistant) -> None:
    # "says" is in no abstract: it reports a claim, it is not the topic; the answer is the
    # paper's own statement of it ("we argue that …")
    answer = assistant.ask("which paper says speeding up training needs new benchmarks?")
    assert cited(answer) == ["Benchmarking Neural Network Training Algorithms"]
    assert answer.text.startswith("In this work, using concrete experiments, we argue")


def test_a_follow_up_is_answered_from_the_paper_the_previous_answer_cited(
    assistant: Assistant,
) -> None:
    first = assistant.ask("What is LLM-QAT?")
    assert cited(first) == [LLM_QAT]
    for history in (["What is LLM-QAT?"], [first]):  # earlier questions or earlier Answers
        answer = assistant.ask("what bit widths does it reach?", history=history)
        assert cited(answer) == [LLM_QAT] and "4-bits" in answer.text
    # a new, standalone question in the same conversation does not inherit the topic
    other = assistant.ask(
        "Which papers are about pruning?", history=[assistant.ask("What is MIO?")]
    )
    assert MIO not in cited(other) and other.citations


def test_a_conversation_stays_with_its_paper_over_several_follow_ups(
    assistant: Assistant,
) -> None:
    zipar = "ZipAR: Accelerating Autoregressive Image Generation through Spatial Locality"
    history: list[str | Answer] = []
    for question in (
        "hey can you tell me what zipar does",
        "how much faster is it?",
        "and what models did they test it on",  # words its abstract does not use
    ):
        answer = assistant.ask(question, history=history)
        assert cited(answer) == [zipar], question
        history.append(answer)
    assert "Emu3-Gen" in answer.text


def test_a_clipped_word_is_read_as_the_word_it_begins(assistant: Assistant) -> None:
    # "params" is "parameters", and "what fraction of" asks for an amount
    perp = assistant.ask("what does perp propose")
    answer = assistant.ask("what fraction of params does it retrain", history=[perp])
    assert cited(answer) == cited(perp) and "0.27%-0.35% of the parameters" in answer.text
    assert answer.text.startswith("Surprisingly, retraining as little as 0.27%")
    listed = assistant.ask("any quant papers?")  # "quant" is "quantization"
    assert GPTVQ in cited(listed) and LLM_QAT in cited(listed)


def test_which_one_picks_from_the_list_just_given(assistant: Assistant) -> None:
    listed = assistant.ask("which papers are about sparse training")
    assert len(listed.citations) >= 2
    # "which one" points at that list; which is fastest the abstracts do not settle, so each
    # listed paper's own figures are given side by side
    answer = assistant.ask("which one is fastest", history=[listed])
    assert not answer.abstained and cited(answer) == cited(listed)
    assert answer.text.startswith("The abstracts do not rank these papers")
    # a choice the abstracts do settle picks one
    multilingual = assistant.ask("which one is about pruning llms", history=[listed])
    assert len(multilingual.citations) == 1 and set(cited(multilingual)) <= set(cited(listed))


def test_which_of_them_prefers_the_paper_whose_title_says_it(assistant: Assistant) -> None:
    history = converse(
        assistant,
        "so what's the deal with mm-interleaved",
        "cool, which other papers do interleaved image-text generation?",
    )
    listed = cited(history[-1])
    gate = "GATE OpenING: A Comprehensive Benchmark for Judging Open-ended Interleaved Image-Text Generation"
    assert gate in listed and len(listed) > 1
    # several of them mention benchmarks; the one whose title says "Benchmark" is one
    answer = assistant.ask("which of them has a benchmark", history=history)
    assert cited(answer) == [gate]


def test_small_talk_gets_a_hint_not_a_quote(assistant: Assistant) -> None:
    for message in ("thanks!", "hello", "ok thanks"):
        answer = assistant.ask(message)
        assert answer.abstained and not answer.citations
        assert answer.text.startswith("Ask me about the") and "[" not in answer.text


def test_who_proposed_asks_for_the_authors(assistant: Assistant) -> None:
    answer = assistant.ask("who proposed bitpipe")
    assert cited(answer) == [BITPIPE]
    record = next(p for p in assistant.papers() if p.title == BITPIPE)
    said = "Its authors are" if record.authors else "no author list"
    assert said in answer.text


def test_history_must_be_a_list_of_turns(assistant: Assistant) -> None:
    with pytest.raises(TypeError, match="not a single string"):
        assistant.ask("what bit widths does it reach?", history="What is LLM-QAT?")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        assistant.ask("what bit widths does it reach?", history=[42])  # type: ignore[list-item]


def test_a_question_in_another_language_is_answered_from_the_paper_it_names(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("¿Qué es LQ-LoRA y cuántos bits usa?")
    assert cited(answer) == [LQ_LORA] and not answer.abstained
    assert any("Spanish" in n for n in answer.notices)
    assert "QLoRA" in answer.text  # the abstract's own English sentences


@pytest.mark.parametrize(
    ("question", "title", "language"),
    [
        # "ist" is German grammar, not the IST-LM paper; "que" is French, though English
        # word lists know it
        ("was ist ZipAR", ZIPAR, "German"),
        ("Qu'est-ce que ZipAR ?", ZIPAR, "French"),
        ("wie funktioniert crosssplit", CROSSSPLIT, "German"),
    ],
)
def test_function_words_of_another_language_are_its_grammar(
    assistant: Assistant, question: str, title: str, language: str
) -> None:
    answer = assistant.ask(question)
    assert cited(answer) == [title] and answer.intent == "definition"
    assert any(language in n for n in answer.notices)


@pytest.mark.parametrize(
    "question",
    [
        "What does the paper Attention Is All You Need propose?",
        "what did the lottery ticket hypothesis paper find?",
        "summarize the original LoRA paper for me",
    ],
)
def test_a_paper_not_in_the_collection_is_said_to_be_absent(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and not answer.citations
    assert "not in this collection" in answer.text


def test_a_comparison_answers_for_each_paper(assistant: Assistant) -> None:
    answer = assistant.ask("Compare GPTVQ and LLM-QAT: which bit widths do they reach?")
    assert answer.intent == "compare"
    assert cited(answer) == [GPTVQ, LLM_QAT]
    assert [p.target for p in answer.parts] == ["GPTVQ", "LLM-QAT"]
    assert all(p.text for p in answer.parts)
    data = answer.to_dict()
    assert [p["target"] for p in data["parts"]] == ["GPTVQ", "LLM-QAT"]


def test_compare_it_with_x_compares_the_paper_just_discussed(assistant: Assistant) -> None:
    first = assistant.ask("whats bitpipe")  # "whats": a definition, typed without apostrophe
    assert cited(first) == [BITPIPE] and first.intent == "definition"
    answer = assistant.ask("compare it with megatron", history=[first])
    assert answer.intent == "compare" and cited(answer) == [BITPIPE, MEGATRON]
    assert [p.target for p in answer.parts] == ["BitPipe", "megatron"]
    # "how does it compare to X?" after a fact about one paper
    omni = assistant.ask("Whats the dataset size in omnicorpus")
    assert omni.intent == "fact" and len(omni.citations) == 1
    both = assistant.ask("and how does it compare to mint-1t", history=[omni])
    assert both.intent == "compare" and len(both.citations) == 2
    assert cited(both)[0] == cited(omni)[0] and cited(both)[1].startswith("MINT-1T")


def test_a_comparison_with_one_paper_says_what_has_no_paper(assistant: Assistant) -> None:
    assert not any("QLoRA" in p.title for p in assistant.papers())
    answer = assistant.ask("compare qlora and lq-lora briefly")
    assert cited(answer) == [LQ_LORA]
    assert answer.text.startswith("No paper here is about 'qlora' itself")


def test_a_paper_against_the_baselines_is_not_a_missing_paper(assistant: Assistant) -> None:
    # "the baselines" is a point of comparison, not a paper the collection lacks; "s3t
    # perform" is the paper that names S3T in its abstract
    answer = assistant.ask("how did s3t perform vs the baselines")
    assert len(answer.citations) == 1 and "S3T" in answer.text
    assert "No paper here" not in answer.text and "Only one paper" not in answer.text


def test_an_answer_says_when_the_abstract_does_not_state_what_was_asked(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("What are the limitations of AlpaGasus?")
    assert cited(answer) == [ALPAGASUS]
    assert "does not mention 'limitations'" in answer.text


def test_an_answer_leads_with_the_fact_asked_for(assistant: Assistant) -> None:
    answer = assistant.ask("How much faster is INT4 training?")
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", answer.text)
    assert len(sentences) <= 3
    assert "2.2 times" in answer.text and "35.1%" in answer.text


@pytest.mark.parametrize(
    ("history", "question", "title", "stated"),
    [
        # the paper's name in its code's web address does not make that sentence the answer
        ([], "what gpus did megatron-lm use", MEGATRON, "3072 GPUs"),
        # "what dataset": the sentence that names datasets, not the one with the word "dataset"
        (["what's crosssplit"], "and what dataset did they test on", CROSSSPLIT, "CIFAR-10"),
        # "what models": the sentence naming the models answers it, whatever the verb
        ([], "what models did they evaluate lq-lora on", LQ_LORA, "LLaMA-2"),
        # "what is it called?": the sentence that gives the name, whatever its capitals
        (
            [],
            "there's a paper on image generation with arbitrary text-image interleaved control "
            "through a multimodal model, what is it called?",
            DREAM_ENGINE,
            "we propose Dream Engine",
        ),
        # "tl;dr of" asks for a summary; it does not name the TLDR paper
        ([], "tldr of the alpagasus paper", ALPAGASUS, "9k high-quality data"),
        # "GPUs" in one paper's title is everyone's word, not that paper's name
        ([], "how many gpus did megatron scale to", MEGATRON, "3072 GPUs"),
        # "trainable parameters" says what "how many params does it train" asks
        (["what is loldu"], "how many params does it train", LOLDU, "2600 times"),
        # the main idea of a paper is what it proposes, not how well it does
        ([], "whats the main idea of fira", FIRA, "plug-and-play training framework"),
        ([], "gist of zipar?", ZIPAR, "parallel decoding framework"),
        # "vq" typed in lower case is the "vector quantization" the abstract spells out
        ([], "which paper does vq for audio codecs", HIFI_CODEC, "vector quantization"),
        # "which paper says X": the paper's own statement, not the background that sets it up
        (
            [],
            "which article says the training and adaptation phases of few-shot classification "
            "can be separated",
            FEW_SHOT,
            "we empirically prove",
        ),
        (
            [],
            "which study shows label noise memorization can be mitigated by splitting the data",
            CROSSSPLIT,
            "we propose a novel training procedure",
        ),
    ],
)
def test_the_answer_states_what_was_asked(
    assistant: Assistant, history: list[str], question: str, title: str, stated: str
) -> None:
    answer = assistant.ask(question, history=history)
    assert cited(answer) == [title] and stated in answer.text.split(". ")[0]
    assert "does not mention" not in answer.text


def test_what_is_x_leads_with_what_it_is_not_how_well_it_does(assistant: Assistant) -> None:
    # LQ-LoRA's abstract names it only where it reports experiments; what it is comes first
    answer = assistant.ask("what is lq-lora")
    assert answer.text.startswith("We propose a simple approach for memory-efficient adaptation")
    # a comparison that asks nothing but the names answers each as "what is X" would
    both = assistant.ask("whats the difference between lq-lora and loldu")
    assert [p.text.split(". ")[0] for p in both.parts] == [
        "We propose a simple approach for memory-efficient adaptation of pretrained language "
        "models",
        "To address these issues, we propose LoLDU, a Parameter-Efficient Fine-Tuning (PEFT) "
        "approach that significantly reduces trainable parameters by 2600 times compared to "
        "regular PEFT methods while maintaining comparable performance",
    ]


def test_how_fast_is_answered_by_a_number(assistant: Assistant) -> None:
    # the sentence with the question's words ("fast", "rendering") states no figure; the one
    # that does ("30 fps", "1080p") leads; "3D" is a name, not an amount
    answer = assistant.ask("how fast does 3d gaussian splatting render")
    assert cited(answer) == [GAUSSIAN]
    assert "(>= 30 fps)" in answer.text.split(". ")[0]


def test_how_many_is_asking_not_a_word_to_find(assistant: Assistant) -> None:
    # "many" is not what the answer must contain ("…contain many low-quality instances")
    summary = assistant.ask("can u summarise the alpagasus paper")
    answer = assistant.ask("how many examples did they keep", history=[summary])
    assert cited(answer) == [ALPAGASUS] and "only 9k high-quality data" in answer.text


def test_what_do_they_find_is_answered_by_the_findings(assistant: Assistant) -> None:
    first = assistant.ask("i need something on continual learning hyperparameters")
    answer = assistant.ask("what do they find?", history=[first])
    assert cited(answer) == cited(first)
    # what the experiments showed, not the sentence that uses the word "find"
    assert answer.text.startswith("Through experiments on CIFAR-100 and ImageNet-100")


def test_best_paper_for_x_asks_for_reading_not_for_a_paper_named_best(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("best paper for speech tokenizers?")
    assert not answer.abstained and answer.citations
    assert all("Speech" in c.title for c in answer.citations)


def test_asking_for_a_recommendation_is_not_a_topic(assistant: Assistant) -> None:
    # "recommend" and "a paper" ask for reading; the topic is video LLMs
    answer = assistant.ask("hi, can u recommend a paper on video llms?")
    assert answer.citations and "video" in answer.citations[0].title.casefold()
    assert "this paper" not in answer.text.split(". ")[0]


def test_a_comparison_is_a_table_on_a_terminal_and_exact_text_when_piped(
    assistant: Assistant,
) -> None:
    from rich.console import Console

    from assistant.chat.render import print_answer

    answer = assistant.ask("GPTVQ vs LLM-QAT: which bit widths do they reach?")
    terminal = Console(force_terminal=True, width=100, record=True)
    print_answer(terminal, answer)
    shown = terminal.export_text()
    rows = [line for line in shown.splitlines() if line.strip().startswith(("GPTVQ", "LLM-QAT"))]
    assert [r.split()[0] for r in rows] == ["GPTVQ", "LLM-QAT"]
    assert rows[0].rstrip().endswith("1") and rows[1].rstrip().endswith("2")  # source numbers
    piped = Console(force_terminal=False, width=100, record=True)
    print_answer(piped, answer)
    assert piped.export_text().startswith(answer.text)


def test_the_x_paper_means_the_paper_that_introduces_x(assistant: Assistant) -> None:
    # "Best-fit Packing" is introduced by its paper; BERT is only used by some papers here.
    packing = assistant.ask(
        "best-fit packing paper - how much does it improve reading comprehension?"
    )
    assert cited(packing) == ["Fewer Truncations Improve Language Modeling"]
    bert = assistant.ask("whats the bert paper about")
    assert bert.abstained and not bert.citations and "not in this collection" in bert.text


@pytest.mark.parametrize(
    ("question", "how"),
    [
        # what they propose, then the sentence after it that says how
        ("how does corda build its adapters", "perform singular value decomposition"),
        ("how does bitpipe schedule the pipline?", "a hybrid scheme of fusing"),
    ],
)
def test_asking_how_a_method_works_is_answered_by_the_method(
    assistant: Assistant, question: str, how: str
) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and how in answer.text
    # read in the paper's order: what they propose comes before how
    assert answer.text.index("propose") < answer.text.index(how)


def test_asking_how_a_paper_does_against_others_is_not_asking_how_it_works(
    assistant: Assistant,
) -> None:
    # "how does it fare against X" asks how well: the results, with their figures
    answer = assistant.ask("how does lq-lora fare against qlora")
    assert cited(answer) == [LQ_LORA]
    assert "outperforms strong QLoRA" in answer.text and "2.5-bit" in answer.text


def test_a_long_question_full_of_unknown_words_embeds_a_bounded_number_of_probes(
    assistant: Assistant,
) -> None:
    import random
    import string

    from assistant.answering.plan import MISSING_PROBE, make_plan, missing_words

    rng = random.Random(7)
    pasted = " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 8)))
        for _ in range(400)
    )
    plan = make_plan(pasted, assistant.answering.collection())
    assert sum(not t.in_collection for t in plan.terms) > MISSING_PROBE
    embedded: list[str] = []

    def embed(texts: list[str]) -> list[list[float]]:
        embedded.extend(texts)
        return [[float(len(t)), 1.0] for t in texts]

    missing_words(plan, embed)
    # the question, one probe per unknown word considered, and a few known words
    assert len(embedded) <= 1 + MISSING_PROBE + 4
    # and the whole question still abstains, naming words it does not know
    answer = assistant.ask(pasted)
    assert answer.abstained and not answer.citations


def test_what_is_its_x_asks_for_a_property_not_a_definition(assistant: Assistant) -> None:
    first = assistant.ask("what is IST-LM")
    answer = assistant.ask("what's its latency", history=[first])
    assert answer.intent == "fact" and cited(answer) == cited(first)
    assert answer.text.startswith("The abstract does not mention 'latency'")


@pytest.mark.parametrize(
    "question",
    ["quantization papers?", "does any paper use flashattention", "show me some work on pruning"],
)
def test_a_topic_with_papers_or_any_study_asks_for_a_list(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question)
    assert answer.intent == "list" and not answer.abstained
    if "flashattention" in question:
        writes_it = {p.title for p in assistant.papers() if "FlashAttention" in p.abstract}
        assert set(cited(answer)) == writes_it
    else:
        assert len(answer.citations) >= 3


def test_the_second_one_means_the_second_paper_of_the_last_list(assistant: Assistant) -> None:
    listed = assistant.ask("which papers do n:m sparsity")
    assert len(listed.citations) >= 3
    second = assistant.ask("what does the 2nd one propose", history=[listed])
    assert cited(second) == cited(listed)[1:2]
    # a question about one of them in between: "the last paper" is still the list's last
    last = assistant.ask("ok and the last paper?", history=[listed, second])
    assert cited(last) == cited(listed)[-1:]
    third = assistant.ask("paper 3 - how does it work?", history=[listed, second, last])
    assert cited(third) == cited(listed)[2:3]
    # "work" in "how does it work" is grammar: the answer is not a sentence about prior work
    first = assistant.ask("how does the first one work", history=[listed])
    assert cited(first) == cited(listed)[:1] and not first.text.startswith("Existing work")


def test_asking_for_something_no_abstract_states_says_so(assistant: Assistant) -> None:
    # no paper in the digest has a licence: the answer says the abstract does not mention it
    assert not any("licen" in f"{p.title} {p.abstract}".lower() for p in assistant.papers())
    answer = assistant.ask("whats the license of omnicorpus")
    assert cited(answer)[0].startswith("OmniCorpus")
    assert answer.text.startswith("The abstract does not mention 'license'")


def test_a_name_means_the_paper_that_introduces_it(assistant: Assistant) -> None:
    # OmniCorpus compares itself with MMC4; Multimodal C4 is the paper that releases it
    answer = assistant.ask("what datasets does mmc4 use")
    assert cited(answer)[0].startswith("Multimodal C4")


@pytest.mark.parametrize(
    ("question", "name"), [("what is obelics", "OBELICS"), ("whats galore", "GaLore")]
)
def test_what_is_x_for_a_thing_no_paper_is_about_says_so(
    assistant: Assistant, question: str, name: str
) -> None:
    # the digest mentions OBELICS and GaLore, but no paper introduces them
    answer = assistant.ask(question)
    assert answer.text.startswith("No paper here is about")
    assert name in answer.text.split(". ")[0].split(": ", 1)[1]


def test_which_one_picks_from_the_last_list_or_else_asks_the_collection(
    assistant: Assistant,
) -> None:
    listed = assistant.ask("which papers do n:m sparsity")
    second = assistant.ask("what does the 2nd one propose", history=[listed])
    # "which of them" after a question about one paper still chooses among the list
    among = assistant.ask("which of them is for transformers", history=[listed, second])
    assert len(among.citations) == 1 and cited(among)[0] in cited(listed)
    assert cited(among) != cited(second)
    # after a one-paper answer, "which one" has nothing to choose among: the collection
    zipar = assistant.ask("what is zipar")
    other = assistant.ask("which one handles long videos", history=[zipar])
    assert other.citations and cited(other) != cited(zipar)
    assert "long video" in other.text.lower()


def test_a_name_typed_without_its_version_is_the_paper_titled_with_it(
    assistant: Assistant,
) -> None:
    first = assistant.ask("what is livecc")
    both = assistant.ask("compare it with slowfast-llava", history=[first])
    assert both.intent == "compare" and len(both.citations) == 2
    assert cited(both)[1].startswith("SlowFast-LLaVA-1.5")


def test_whats_new_in_a_topic_asks_for_a_list(assistant: Assistant) -> None:
    answer = assistant.ask("hey, what's new in video llms")
    assert answer.intent == "list" and len(answer.citations) >= 2


def test_asking_for_a_measure_the_papers_state_in_numbers_leads_with_a_number(
    assistant: Assistant,
) -> None:
    # "speedup" is a word the digest states with figures: "what's the speedup" asks for one,
    # and "we 1) introduce …, 2) …" is an enumeration, not a figure
    answer = assistant.ask("whats the speedup of efficienttrain")
    assert cited(answer)[0].startswith("EfficientTrain")
    # the abstract never says "speedup", but the figure it gives is what was asked about: it
    # leads, with no note that the abstract words it otherwise
    assert ">1.5x" in answer.text.split(". ")[0]
    assert "does not" not in answer.text


@pytest.mark.parametrize(
    "question",
    ["gptvq or glvq, which is better at 2 bits", "which one is faster, bytescale or loongtrain?"],
)
def test_x_or_y_which_is_better_compares_both(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.intent == "compare" and len(answer.citations) == 2


def test_a_list_line_says_why_the_paper_belongs_not_where_its_code_is(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("i need papers on efficient training of transformers")
    assert answer.intent == "list" and len(answer.citations) >= 2
    assert "http" not in answer.text


def test_an_acronym_finds_the_papers_that_spell_it_out(assistant: Assistant) -> None:
    # one paper defines "Parameter-Efficient Fine-Tuning (PEFT)"; another only spells it out
    spelled = {
        p.title
        for p in assistant.papers()
        if re.search(r"parameter-efficient fine-tuning", f"{p.title} {p.abstract}", re.I)
        and "PEFT" not in f"{p.title} {p.abstract}"
    }
    assert spelled
    answer = assistant.ask("which papers use PEFT methods")
    assert answer.intent == "list" and spelled <= set(cited(answer))


def test_diff_between_two_names_compares_the_papers_that_introduce_them(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("diff between omnicorpus and mmc4")
    assert answer.intent == "compare"
    assert [t.split(":")[0] for t in cited(answer)] == ["OmniCorpus", "Multimodal C4"]


def test_how_does_it_work_is_answered_by_the_method_not_the_results(
    assistant: Assistant,
) -> None:
    # "sniper training" is the title's own words, so it does not pull towards the results
    # sentence that happens to write "SNIPER-trained"
    answer = assistant.ask("how does sniper training work")
    assert answer.text.startswith("Thus, we propose training TTS models using decaying sparsity")


@pytest.mark.parametrize(
    ("first", "then"),
    [("what does crosssplit do", "what datasets"), ("now tell me about mio", "what modalities")],
)
def test_a_question_without_a_verb_asks_about_the_paper_just_discussed(
    assistant: Assistant, first: str, then: str
) -> None:
    answer = assistant.ask(first)
    follow = assistant.ask(then, history=[answer])
    assert cited(follow) == cited(answer)


def test_the_main_contribution_of_a_listed_paper_is_what_it_says_it_does(
    assistant: Assistant,
) -> None:
    listed = assistant.ask("papers on speech")
    first = cited(listed)[0]
    answer = assistant.ask("the first one, what's its main contribution", history=[listed])
    assert cited(answer) == [first]
    lead = answer.text.split(". ")[0]
    assert re.search(r"\b(?:we|this (?:paper|work))\b", lead, re.I), lead


def test_a_short_english_question_is_not_read_as_another_language(assistant: Assistant) -> None:
    # "moe" is a Dutch word too; "papers" is English, and together they read as English
    answer = assistant.ask("moe papers?")
    assert answer.intent == "list" and not answer.abstained and not answer.notices
    assert all("MoE" in p.abstract for p in assistant.papers() if p.title in cited(answer))


@pytest.mark.parametrize(
    ("question", "wanted"),
    [("top 3 papers on quantization", 3), ("give me two papers on pruning", 2)],
)
def test_a_list_gives_as_many_papers_as_asked_for(
    assistant: Assistant, question: str, wanted: int
) -> None:
    answer = assistant.ask(question)
    assert answer.intent == "list" and len(answer.citations) == wanted
    # the number is grammar: "3" does not pick the sentence with a 3 in it
    assert answer.text.splitlines()[0].startswith(f"The {wanted} that match best, of ")


def test_recommend_a_paper_on_x_names_no_paper_called_recommend(assistant: Assistant) -> None:
    answer = assistant.ask("recommend a paper on data filtering")
    assert not answer.abstained and len(answer.citations) == 1


@pytest.mark.parametrize("question", ["tl;dr loongtrain", "zipar in one sentence", "eli5 zipar"])
def test_asking_for_a_summary_in_shorthand_gets_what_the_paper_does(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question)
    assert answer.intent == "definition" and len(answer.citations) == 1
    assert "does not mention" not in answer.text
    # and "TLDR" is still the name of a paper when it is what is asked about
    assert cited(assistant.ask("what is tldr"))[0].startswith("TLDR:")


@pytest.mark.parametrize(
    "question", ["what does the alpagasus paper do", "what does the sniper training paper propose"]
)
def test_what_does_the_x_paper_do_leads_with_what_it_proposes(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question)
    assert answer.intent == "definition" and len(answer.citations) == 1
    assert not re.match(r"(?:Our )?experiments", answer.text, re.I)


def test_a_generic_subject_is_not_a_missing_topic(assistant: Assistant) -> None:
    # no abstract says "people": it is the question's grammar, not something it asks about
    assert not any(" people " in f" {p.abstract} " for p in assistant.papers())
    answer = assistant.ask("how do people evaluate interleaved generation")
    assert not answer.abstained and answer.citations


def test_either_asks_about_the_papers_just_listed(assistant: Assistant) -> None:
    listed = assistant.ask("which papers are about unlearning")
    assert len(listed.citations) >= 2
    answer = assistant.ask("does either use lora", history=[listed])
    # neither abstract mentions LoRA: the answer says so about one of them, and does not jump
    # to a LoRA paper that has nothing to do with unlearning
    assert cited(answer)[0] in cited(listed)
    assert answer.text.startswith("The abstract does not mention 'lora'")


@pytest.mark.parametrize(
    "question",
    [
        "im looking for work on multimodal pretraining data",
        "what has been done on continual learning",
        "is there research on knowledge distillation",
        "i need refs on video llms",
        "what methods are there for kv cache compression",
        "what are the main approaches to long context training",
        "which benchmarks evaluate interleaved generation",
    ],
)
def test_asking_what_the_collection_has_on_a_topic_lists_papers(
    assistant: Assistant, question: str
) -> None:
    # "looking for work on", "what methods are there for", "which benchmarks …": several
    # papers are wanted, not the one that matches best
    answer = assistant.ask(question)
    assert answer.intent == "list" and len(answer.citations) >= 2


def test_a_plural_question_about_a_named_paper_stays_with_it(assistant: Assistant) -> None:
    answer = assistant.ask("what bit widths does llm-qat reach")
    assert cited(answer) == [LLM_QAT]


def test_explain_how_x_works_is_not_a_list(assistant: Assistant) -> None:
    # "works" ends the question, but it is the verb of "how ADED works"
    answer = assistant.ask("can you explain how ADED works")
    assert answer.intent != "list" and len(answer.citations) == 1
    assert cited(answer)[0].startswith("Adaptive Draft-Verification")


def test_a_title_asked_about_without_the_is_looked_up(assistant: Assistant) -> None:
    # "what is X paper about" names X as "what is the X paper about" does
    answer = assistant.ask("what is attention is all you need paper about")
    assert answer.abstained and not answer.citations
    assert "not in this collection" in answer.text


def test_the_best_paper_on_x_is_the_best_match_not_a_paper_named_best(
    assistant: Assistant,
) -> None:
    # "best" chooses; it is not the "Best-fit Packing" paper
    answer = assistant.ask("which is the best paper on pruning llms")
    assert len(answer.citations) == 1 and "prun" in answer.text.casefold()
    assert answer.text.startswith("The best match of ")


def test_each_after_a_list_answers_for_every_paper_listed(assistant: Assistant) -> None:
    listed = assistant.ask("which papers release interleaved image-text corpora")
    assert len(listed.citations) >= 3
    answer = assistant.ask("how big is each", history=[listed])
    assert cited(answer) == cited(listed) and answer.intent == "compare"  # side by side
    # each line leads with that paper's figures
    assert "103M documents" in answer.text and "163 languages" in answer.text
    compared = assistant.ask("compare them", history=[listed])
    assert cited(compared) == cited(listed)


def test_an_acronym_typed_in_lower_case_lists_the_papers_that_spell_it_out(
    assistant: Assistant,
) -> None:
    # only GPTVQ writes "VQ"; the others write "vector quantization", as GPTVQ defines it
    answer = assistant.ask("which papers use vq")
    assert {GPTVQ, GLVQ, HIFI_CODEC} <= set(cited(answer))
    rl = assistant.ask("which papers use rl")
    assert len(rl.citations) >= 2
    assert all("reinforcement learning" in line.casefold() for line in rl.text.splitlines()[1:])


def test_other_papers_are_besides_the_one_just_discussed(assistant: Assistant) -> None:
    first = assistant.ask("what's gptvq")
    answer = assistant.ask("ok cool what other vq papers r there", history=[first])
    assert GPTVQ not in cited(answer)
    assert {GLVQ, HIFI_CODEC} <= set(cited(answer))


@pytest.mark.parametrize("question", ["what is lora", "What is LoRA?"])
def test_what_is_an_acronym_no_paper_is_about_quotes_where_it_is_spelled_out(
    assistant: Assistant, question: str
) -> None:
    # no paper here is LoRA; NLoRA writes what it is ("low-rank adaptation (LoRA)"), and the
    # answer says that it only mentions it
    answer = assistant.ask(question)
    assert answer.text.startswith("No paper here is about ")
    assert "low-rank adaptation (LoRA)" in answer.text


def test_a_collection_term_is_not_read_as_a_foreign_word(assistant: Assistant) -> None:
    # "lora" is Spanish for parrot, but these abstracts use it all the time
    answer = assistant.ask("lora papers")
    assert answer.intent == "list" and len(answer.citations) >= 3
    assert not answer.notices


def test_w_slash_is_with_not_an_alternative(assistant: Assistant) -> None:
    first = assistant.ask("tell me about CAST")
    answer = assistant.ask("compare it w/ slope", history=[first])
    assert len(answer.citations) == 2 and cited(first)[0] in cited(answer)
    assert any(t.startswith("SLoPe:") for t in cited(answer))
    # each side is labelled as the paper writes its name
    assert "\n- SLoPe: " in f"\n{answer.text}"


def test_and_the_second_picks_from_the_list(assistant: Assistant) -> None:
    listed = assistant.ask("papers on kv cache")
    assert len(listed.citations) >= 3
    first = assistant.ask("summarize the first one", history=[listed])
    assert cited(first) == cited(listed)[:1]
    # nothing is asked but the paper: it leads with what the paper says it does
    assert re.search(r"\bwe (?:propose|introduce|present)\b", first.text.split(". ")[0], re.I)
    second = assistant.ask("and the second?", history=[listed, first])
    assert cited(second) == cited(listed)[1:2]


def test_an_acronym_in_a_title_reference_stands_for_title_words(assistant: Assistant) -> None:
    # "mt" is "Machine Translation" in the title; the abstract never gives a BLEU score
    answer = assistant.ask("whats the bleu of the simultaneous mt paper")
    assert len(answer.citations) == 1 and "Simultaneous Machine Translation" in cited(answer)[0]
    assert answer.text.startswith("The abstract does not mention 'bleu'")
    # the paper the question names is about itself, not one that only mentions it
    summary = assistant.ask("summarize the 3dgs paper")
    assert cited(summary) == [GAUSSIAN] and not summary.text.startswith("No paper here")


def test_the_figure_asked_for_leads_even_when_the_abstract_words_it_otherwise(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("what speedup does bitpipe get")
    assert answer.text.startswith("Experiments conducted on up to 32 GPUs show that BitPipe")
    assert "1.05x-1.28x" in answer.text.split(". ")[0]


def test_a_name_the_paper_gives_itself_is_not_a_mention(assistant: Assistant) -> None:
    # "we introduce a new … benchmark …, the AlgoPerf: Training Algorithms benchmark"
    answer = assistant.ask("what does the algoperf benchmark do")
    assert cited(answer) == ["Benchmarking Neural Network Training Algorithms"]
    assert not answer.text.startswith("No paper here")
    # "we propose … a once-for-all (OFA) network": OFA is that paper, MobileNetV3 has none
    compared = assistant.ask("ofa vs mobilenetv3?")
    assert cited(compared) == [ONCE_FOR_ALL]
    assert compared.text.startswith("No paper here is about 'mobilenetv3' itself")
    # a name only mentioned stays a mention
    assert assistant.ask("what is pissa").text.startswith("No paper here is about 'pissa'")


@pytest.mark.parametrize("question", ["quantization papers for llms?", "lora variants in here?"])
def test_papers_for_x_and_x_in_here_ask_for_a_list(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.intent == "list" and len(answer.citations) >= 4


def test_a_paper_that_only_uses_a_name_is_not_the_paper_of_that_name(
    assistant: Assistant,
) -> None:
    # "we introduce SwitchBack, a layer … which provides … for the 1B parameter CLIP ViT-Huge"
    # introduces SwitchBack, not CLIP
    answer = assistant.ask("the clip paper")
    assert answer.abstained and not answer.citations


def test_the_first_two_of_a_list_are_compared(assistant: Assistant) -> None:
    listed = assistant.ask("any papers on speech language models")
    assert len(listed.citations) >= 3
    answer = assistant.ask("compare the first two", history=[listed])
    assert cited(answer) == cited(listed)[:2]


def test_how_big_leads_with_the_size_not_another_figure(assistant: Assistant) -> None:
    # "… a vast majority (90%) of images are topically relevant" states a figure, not the size
    answer = assistant.ask("how big is mmc4")
    assert "103M documents" in answer.text.split(". ")[0]


def test_which_is_faster_compares_the_figures(assistant: Assistant) -> None:
    answer = assistant.ask("whcih is faster, zipar or learn2pd?")
    assert answer.intent == "compare" and len(answer.citations) == 2
    # each side leads with its speed figure
    assert "91%" in answer.text and "22.58times" in answer.text
    than = assistant.ask("is gptvq smaller than glvq")
    assert than.intent == "compare" and set(cited(than)) == {GPTVQ, GLVQ}


def test_the_thing_a_paper_is_about_keeps_the_follow_up_with_it(assistant: Assistant) -> None:
    # "the agent" is LLM-I's agent, not the agents of "Interactive Training"
    first = assistant.ask("the llm-i paper")
    answer = assistant.ask("how was the agent trained", history=[first])
    assert cited(answer) == cited(first)
    assert "Reinforcement Learning" in answer.text
    # a definite noun the paper has is not enough when the topic is another one
    gptvq = assistant.ask("what is gptvq")
    other = assistant.ask("how does the quantization of kv caches work", history=[gptvq])
    assert cited(other) != cited(gptvq)


@pytest.mark.parametrize("question", ["which papers use llama 2", "which papers use llama-2"])
def test_a_versioned_name_matches_every_spelling_of_it(assistant: Assistant, question: str) -> None:
    # the digest writes LLaMA-2, LLaMA2-7B, Llama-v2 and Llamav2-70B; Llama-3.2 is another model
    answer = assistant.ask(question)
    assert {LQ_LORA, GPTVQ, LOLDU} <= set(cited(answer))
    assert not any(t.startswith("A Token is Worth") for t in cited(answer))


def test_an_identifier_with_numbers_is_matched_whole(assistant: Assistant) -> None:
    # only CAST writes "2:4"; "4-bit" and a "2" elsewhere are not 2:4 sparsity
    answer = assistant.ask("which papers mention 2:4 sparsity")
    assert len(answer.citations) == 1 and cited(answer)[0].startswith("CAST:")


def test_the_other_one_is_the_next_listed_paper(assistant: Assistant) -> None:
    listed = assistant.ask("any papers on kv cache compression?")
    assert len(listed.citations) >= 2
    first = assistant.ask("what compression rate does the first one get", history=[listed])
    assert cited(first) == cited(listed)[:1]
    other = assistant.ask("and the other one?", history=[listed, first])
    assert cited(other) == cited(listed)[1:2]


def test_which_is_the_biggest_after_a_list_gives_each_ones_size(assistant: Assistant) -> None:
    listed = assistant.ask("which papers release interleaved image-text corpora")
    answer = assistant.ask("which is the biggest", history=[listed])
    assert cited(answer) == cited(listed)
    assert "103M documents" in answer.text and "8.6 billion images" in answer.text
    # then a choice the abstracts settle: the multilingual one
    one = assistant.ask("which one is multilingual", history=[listed, answer])
    assert len(one.citations) == 1 and one.citations[0].title.startswith("mOSCAR")


def test_a_yes_no_question_about_an_everyday_thing_stays_with_the_paper(
    assistant: Assistant,
) -> None:
    # "code" must not jump to the code-translation paper
    first = assistant.ask("what's LiveCC")
    answer = assistant.ask("is the code released?", history=[first])
    assert cited(answer) == cited(first) and "released" in answer.text


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        ("what are GPTVQ and GLVQ", "GPTVQ:", "Learning Grouped Lattice"),
        ("explain CAST and AST briefly", "CAST:", "Pruning Large Language Models"),
    ],
)
def test_a_question_naming_two_papers_answers_both(
    assistant: Assistant, question: str, first: str, second: str
) -> None:
    answer = assistant.ask(question)
    assert len(answer.citations) == 2
    assert cited(answer)[0].startswith(first) and cited(answer)[1].startswith(second)
    both = assistant.ask("do both use vector quantization?", history=[answer])
    assert cited(both) == cited(answer)


def test_back_to_the_first_paper_returns_to_it(assistant: Assistant) -> None:
    history = converse(
        assistant,
        "what is LQ-LoRA",
        "what bits does it use",
        "ok now tell me about GPTVQ",
        "how long does it take on an h100",
    )
    answer = assistant.ask("back to the first paper, what baselines does it beat?", history=history)
    assert cited(answer) == [LQ_LORA] and "QLoRA" in answer.text


def test_back_to_the_list_chooses_from_it(assistant: Assistant) -> None:
    history = converse(
        assistant,
        "papers on speech language models pls",
        "which of them uses synthetic data",
        "how much synthetic data",
    )
    answer = assistant.ask("back to the list, which one is about scaling laws", history=history)
    assert cited(answer) == ["Scaling Analysis of Interleaved Speech-Text Language Models"]


def test_a_broad_topic_lists_every_paper_that_has_all_of_it(assistant: Assistant) -> None:
    # many papers are about efficient training, so none stands out by its words; and
    # "efficient training" is not the paper named EfficientTrain
    answer = assistant.ask("what's hot in efficient training?")
    assert answer.intent == "list" and len(answer.citations) >= 5


def test_a_comparison_with_a_thing_no_paper_is_about_says_so(assistant: Assistant) -> None:
    # Fira compares itself with GaLore; no paper here is GaLore (SwitchLoRA only mentions it)
    answer = assistant.ask("please explain me what make the Fira method different of GaLore")
    assert cited(answer) == [FIRA]
    assert answer.text.startswith("No paper here is about 'GaLore' itself")


@pytest.mark.parametrize(
    "question", ["¿Cuántos documentos contiene mOSCAR?", "Combien de langues couvre mOSCAR ?"]
)
def test_how_many_in_another_language_asks_for_the_figure(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question)
    assert answer.citations[0].title.startswith("mOSCAR")
    assert answer.text.split("\n")[-1].startswith("It covers 163 languages, 315M documents")


def test_a_preamble_before_what_is_keeps_it_a_definition(assistant: Assistant) -> None:
    answer = assistant.ask("ok different topic, what is ILRe")
    assert answer.intent == "definition" and "topic" not in answer.text.split(".")[0]
    assert "we introduce a novel context compression pipeline" in answer.text


def test_a_famous_model_only_used_here_is_noted_as_a_mention(assistant: Assistant) -> None:
    # "the proposed framework … on training BERT" does not introduce BERT
    answer = assistant.ask("tell me about BERT")
    assert answer.text.startswith("No paper here is about 'BERT' itself")


def test_chat_shorthand_is_never_a_topic(assistant: Assistant) -> None:
    answer = assistant.ask("whats the speedup of bitpipe over sota pls")
    assert len(cited(assistant.ask("diff btw omnicorpus and mmc4"))) == 2  # "btw": between
    assert cited(answer)[0].startswith("BitPipe:") and "'pls'" not in answer.text


def test_which_paper_does_x_is_answered_by_the_paper_not_a_missing_verb(
    assistant: Assistant,
) -> None:
    # the abstract says "Experiments on the LLaDA benchmark", not "evaluates"
    answer = assistant.ask("which paper evaluates on LLaDA")
    assert cited(answer)[0].startswith("Learning to Parallel")
    assert answer.text.startswith("Experiments on the LLaDA benchmark")


def test_a_name_the_paper_never_writes_is_asked_about_not_identifying(
    assistant: Assistant,
) -> None:
    # SparseProp runs on CPUs; its abstract never says GPUs, and the answer says so
    answer = assistant.ask("is SparseProp for GPUs?")
    assert cited(answer)[0].startswith("SparseProp:")
    assert answer.text.startswith("The abstract does not mention 'GPUs'")


def test_which_datasets_is_answered_by_the_sentence_naming_them(assistant: Assistant) -> None:
    # "CL" abbreviates the question's "Continual Learning": it names nothing new, while
    # CIFAR-100 and ImageNet-100 do, though that sentence never says "dataset"
    answer = assistant.ask(
        "which datasets are used in the Hyperparameters in Continual Learning paper"
    )
    assert "CIFAR-100 and ImageNet-100" in answer.text.split(". ")[0]


def test_back_to_the_list_skips_a_comparison_made_since(assistant: Assistant) -> None:
    history = converse(
        assistant,
        "hey any papers on kv cache stuff",
        "ok what does matryoshkakv do",
        "compare it w/ ILRe",
    )
    answer = assistant.ask("back to the list - which one quantizes the kv cache", history=history)
    assert cited(answer) == [LLM_QAT]


@pytest.mark.parametrize(
    "question",
    ["papers similar to gptvq", "what else is like GPTVQ?", "related work for the gptvq paper"],
)
def test_similar_to_a_paper_lists_its_neighbours_not_itself(
    assistant: Assistant, question: str
) -> None:
    """The papers nearest one paper: the other vector and LLM quantization papers, not the
    paper asked about (nor papers that only share its name's words)."""
    answer = assistant.ask(question)
    titles = cited(answer)
    assert answer.intent == "list" and GPTVQ not in titles
    assert {GLVQ, LLM_QAT, LQ_LORA} <= set(titles)
    assert "closest to GPTVQ" in answer.text


def test_anything_similar_after_a_paper_is_near_that_paper(assistant: Assistant) -> None:
    *_, answer = converse(assistant, "what is lq-lora", "any similar papers?")
    assert isinstance(answer, Answer)
    assert LQ_LORA not in cited(answer) and GPTVQ in cited(answer)


def test_a_paper_with_no_neighbour_here_says_so(assistant: Assistant) -> None:
    """3D Gaussian Splatting has no related work in the digest: nothing is cited rather than
    the papers its abstract merely sounds like."""
    answer = assistant.ask("papers like the 3d gaussian splatting paper")
    assert answer.abstained and cited(answer) == []
    assert "No other paper in this collection" in answer.text


def test_related_work_on_a_topic_is_a_list_on_the_topic(assistant: Assistant) -> None:
    answer = assistant.ask("which papers are related to machine unlearning")
    assert len(cited(answer)) == 2 and all("nlearning" in t for t in cited(answer))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "semi-structured sparsity",
            {"CAST: Continuous", "Pruning Large Language Models with Semi-Structural"},
        ),
        ("peft", {"LoLDU", "NLoRA", "CorDA"}),
    ],
)
def test_a_bare_topic_lists_what_the_collection_has_on_it(
    assistant: Assistant, question: str, expected: set[str]
) -> None:
    """Typed as a search box: a phrase with no question in it asks for the papers on it."""
    answer = assistant.ask(question)
    assert answer.intent == "list"
    assert all(any(t.startswith(e) for t in cited(answer)) for e in expected)


def test_a_bare_paper_name_is_that_paper(assistant: Assistant) -> None:
    assert cited(assistant.ask("bitpipe")) == [BITPIPE]


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("which paper says 1000x", "A Token is Worth over 1,000 Tokens"),  # "1,000x" written
        ("what paper has 12k gpus", "ByteScale"),  # "12,000 GPUs" written
        ("which paper reports 2600x fewer params", "LoLDU"),  # "2600 times" written
        ("which paper is 173 times faster", "Rank-DistiLLM"),  # no embedder reads "173"
    ],
)
def test_a_number_finds_the_paper_however_either_side_writes_it(
    assistant: Assistant, question: str, title: str
) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and cited(answer)[0].startswith(title)


def test_the_x_paper_with_the_title_words_in_another_order_is_that_paper(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("does the 4-bit transformer paper run on current gpus")
    assert not answer.abstained and cited(answer) == [INT4]
    assert "current generation of GPUs" in answer.text


def test_chat_shorthand_after_a_compared_name_is_not_part_of_it(assistant: Assistant) -> None:
    answer = assistant.ask("can you compare gptvq and glvq pls")
    assert cited(answer) == [GPTVQ, GLVQ] and "pls" not in answer.text


def test_which_ones_after_a_list_narrows_that_list(assistant: Assistant) -> None:
    """A filter on the papers just listed, not a new search each must stand out in."""
    first, answer = converse(assistant, "papers on quantization", "which ones are for llms")
    assert isinstance(first, Answer) and isinstance(answer, Answer)
    before, now = set(cited(first)), set(cited(answer))
    assert len(now) >= 4 and now < before and {GPTVQ, GLVQ, LLM_QAT} <= now
    assert f"of the {len(before)} papers listed before" in answer.text


def test_a_follow_up_the_paper_just_discussed_fully_answers_stays_with_it(
    assistant: Assistant,
) -> None:
    """No pronoun, but every word of it is in the paper just discussed: asked of that paper,
    even if another paper's abstract stands out more for those words."""
    *_, answer = converse(assistant, "what is open-qwen2vl", "how many image text pairs")
    assert isinstance(answer, Answer)
    assert cited(answer)[0].startswith("Open-Qwen2VL") and "29M" in answer.text


@pytest.mark.parametrize(
    ("question", "first", "figure"),
    [
        ("which paper uses the most gpus", "ByteScale", "12,000 GPUs"),
        ("which dataset has the most images?", "OmniCorpus", "10 billion-scale"),
        ("biggest speedup reported in here", "ILRe", "180times"),
        ("which paper uses the fewest gpus", "A Multigrid Method", "GPU"),
    ],
)
def test_a_superlative_across_the_collection_ranks_the_figures_papers_give(
    assistant: Assistant, question: str, first: str, figure: str
) -> None:
    """Not the paper that shares the question's words: the papers stating a figure for the
    measure, ranked by it, each with the sentence the figure comes from."""
    answer = assistant.ask(question)
    assert answer.intent == "list" and cited(answer)[0].startswith(first)
    assert answer.text.startswith("By the figure each abstract gives for")
    assert figure in answer.text.splitlines()[1]


def test_the_most_with_an_adjective_ranks_no_figures(assistant: Assistant) -> None:
    # "the most efficient" is no amount: no ranking by numbers near "efficient"
    assert "By the figure" not in assistant.ask("what is the most efficient lora variant").text


@pytest.mark.parametrize(
    ("sentence", "word", "values"),
    [
        ("on a production cluster with more than 12,000 GPUs.", "gpu", [12000.0]),
        ("one trillion text tokens and three billion images, a 10x scale-up", "imag", [3e9]),
        ("It covers 163 languages, 315M documents and 1.2B images.", "languag", [163.0]),
        ("our 2:4 sparse model, the 2.75-bit model", "model", []),  # a ratio, a bit width
        ("requires 27GB of GPU memory", "gpu", []),  # another measure's amount
        ("a speedup of 1.8x over the baseline", "speedup", [1.8]),
    ],
)
def test_a_figure_is_the_amount_written_next_to_its_measure(
    sentence: str, word: str, values: list[float]
) -> None:
    assert [v for v, _ in figures(sentence, word)] == values


def test_which_of_those_are_after_a_list_keeps_every_one_that_is(assistant: Assistant) -> None:
    """The plural verb asks for every listed paper that has it ("which of those is" for one)."""
    *_, answer = converse(assistant, "pruning papers", "which of those are for llms")
    assert isinstance(answer, Answer)
    assert len(cited(answer)) >= 3 and "papers listed before" in answer.text


def test_two_papers_named_after_a_list_are_the_two_compared(assistant: Assistant) -> None:
    *_, answer = converse(
        assistant, "papers on quantization", "whats the difference between llm-qat and gptvq"
    )
    assert isinstance(answer, Answer) and cited(answer) == [LLM_QAT, GPTVQ]


def test_papers_asked_for_after_one_paper_are_a_new_search(assistant: Assistant) -> None:
    *_, answer = converse(assistant, "tell me about GPTVQ", "what about pruning papers")
    assert isinstance(answer, Answer)
    assert GPTVQ not in cited(answer) and len(cited(answer)) >= 3
    assert any(t.startswith("PERP") for t in cited(answer))


def test_which_is_faster_after_two_papers_answers_for_both(assistant: Assistant) -> None:
    *_, answer = converse(assistant, "megatron-lm paper", "and bitpipe?", "which is faster")
    assert isinstance(answer, Answer)
    assert cited(answer) == [MEGATRON, BITPIPE]


def test_a_ratio_name_is_not_read_as_french(assistant: Assistant) -> None:
    """'n:m' is two letters, no word of any language: the question stays English and lists
    the N:M sparsity papers."""
    answer = assistant.ask("n:m sparsity")
    assert not answer.notices and answer.intent == "list" and len(cited(answer)) >= 3


def test_related_work_for_a_title_typed_in_lower_case_leaves_that_paper_out(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("related work for cut your losses")
    assert "Cut Your Losses" in answer.text.splitlines()[0]
    assert not any(t.startswith("Cut Your Losses") for t in cited(answer))


def test_related_work_on_a_topic_lists_the_topic(assistant: Assistant) -> None:
    answer = assistant.ask("related work on pruning")
    assert answer.intent == "list" and len(cited(answer)) >= 3


def test_more_like_these_with_nothing_more_says_so(assistant: Assistant) -> None:
    first, answer = converse(assistant, "video llms", "more like these")
    assert isinstance(first, Answer) and isinstance(answer, Answer)
    assert answer.abstained or not set(cited(answer)) & set(cited(first))
    if answer.abstained:
        assert f"close to the {len(cited(first))} papers listed before" in answer.text


def test_more_like_these_stays_near_the_papers_listed(assistant: Assistant) -> None:
    # the papers near most of those listed, not the question's other words asked again
    # ("long" found a long-sequence training system)
    first, answer = converse(assistant, "video llms for long videos", "more like these")
    assert isinstance(first, Answer) and isinstance(answer, Answer)
    assert cited(answer) and not set(cited(answer)) & set(cited(first))
    abstracts = {p.paper_id: p.abstract for p in assistant.papers()}
    for part in answer.parts:
        assert "video" in abstracts[part.paper_id].lower()


@pytest.mark.parametrize(
    ("question", "figure"),
    [("mint-1t size", "three billion images"), ("efficienttrain speedup", ">1.5x")],
)
def test_a_name_and_a_measure_typed_as_a_search_lead_with_the_figure(
    assistant: Assistant, question: str, figure: str
) -> None:
    answer = assistant.ask(question)
    assert figure in answer.text.split(". ")[0] and "does not mention" not in answer.text


@pytest.mark.parametrize(
    ("question", "title", "lacking"),
    [
        # "data" is in GPTVQ's abstract ("data-aware"), "calibration" is not
        ("does gptvq need calibration data?", GPTVQ, "calibration"),
        # LoongTrain's "2D-Attention" is attention, not FlashAttention
        (
            "does LoongTrain support flash attention?",
            "LoongTrain: Efficient Training of Long-Sequence LLMs with Head-Context Parallelism",
            "flash attention",
        ),
        # MIO's abstract calls GPT-4o closed-source and says nothing of its own code
        ("is MIO open source?", MIO, "open source"),
    ],
)
def test_a_yes_no_question_says_when_the_abstract_lacks_the_thing_asked(
    assistant: Assistant, question: str, title: str, lacking: str
) -> None:
    answer = assistant.ask(question)
    assert cited(answer) == [title]
    assert answer.text.startswith(f"The abstract does not mention '{lacking}'")


@pytest.mark.parametrize(
    "question",
    [
        # the verb is the question's, the abstract says "Experiments … on GPT-style models"
        "is bitpipe evaluated on gpt models?",
        "does MIO support speech?",
        "is llm-qat data free?",
    ],
)
def test_a_yes_no_question_the_abstract_answers_gets_no_disclaimer(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question)
    assert len(cited(answer)) == 1
    assert "does not mention" not in answer.text


def test_a_quoted_sentence_about_another_work_comes_with_the_sentence_it_points_back_to(
    assistant: Assistant,
) -> None:
    # "However, it is closed-source" is said of GPT-4o, not of MIO: quoted alone, it would
    # read as MIO's
    answer = assistant.ask("is MIO open source?")
    before, _, _ = answer.text.partition("However, it is closed-source")
    assert before and before.rstrip().endswith(
        "any-to-any LLMs for complex real-world tasks, "
        "enabling omnidirectional input and output across "
        "images, speech, and text."
    )


def test_a_paper_set_against_a_baseline_its_abstract_discusses_is_answered_alone(
    assistant: Assistant,
) -> None:
    # "full-rank training" is words of Fira's title, but here the baseline SwitchLoRA's own
    # abstract measures itself against
    answer = assistant.ask("is SwitchLoRA better than full-rank training?")
    assert [t.split(":")[0] for t in cited(answer)] == ["SwitchLoRA"]
    assert "surpasses full-rank training" in answer.text


def test_two_papers_compared_by_name_are_both_answered(assistant: Assistant) -> None:
    # Fira's abstract and SwitchLoRA's discuss the same baselines; both are papers here
    answer = assistant.ask("fira vs switchlora which is better")
    assert sorted(t.split(":")[0] for t in cited(answer)) == ["Fira", "SwitchLoRA"]


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        # "how much faster" asks for a ratio: "7B to 141B" is a number, not the answer
        ("how much faster is bytescale than sota", "7.89x"),
        ("what's the speedup of training transformers with 4-bit integers", "2.2 times faster"),
    ],
)
def test_how_much_more_is_answered_by_the_ratio(
    assistant: Assistant, question: str, figure: str
) -> None:
    answer = assistant.ask(question)
    assert figure in answer.text.split(". ")[0]


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("how long did alpagasus training take", "14 minutes"),
        ("how long does gptvq take to quantize llama 70b", "between 3 and 11 hours"),
    ],
)
def test_how_long_is_answered_by_a_duration(
    assistant: Assistant, question: str, figure: str
) -> None:
    answer = assistant.ask(question)
    assert figure in answer.text.split(". ")[0]


def test_latex_in_an_abstract_is_shown_as_the_characters_it_stands_for(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("what initialization does NLoRA use?")
    assert "Nyström" in answer.text and '\\"' not in answer.text
    assert "NyströmLoRA" in answer.citations[0].snippet
    answer = assistant.ask("how much does SwitchLoRA cut memory usage")
    assert "13%" in answer.text and "\\%" not in answer.text
    answer = assistant.ask("is there code for loldu")  # "\\href{x}{x}" written without "\\href"
    assert "https://github.com/SKDDJ/LoLDU." in answer.text and "{" not in answer.text


@pytest.mark.parametrize(
    ("question", "heads"),
    [
        # the question about the two runs on without a comma: it is not part of a name
        ("gptvq vs glvq which one gets lower bits", ["GPTVQ", "Learning Grouped Lattice"]),
        # "X or Y, which needs less data": any verb before the comparative
        ("alpagasus or coco is all you need, which needs less data", ["AlpaGasus", "COCO is"]),
    ],
)
def test_alternatives_followed_by_the_question_are_compared(
    assistant: Assistant, question: str, heads: list[str]
) -> None:
    answer = assistant.ask(question)
    assert answer.intent == "compare"
    assert len(cited(answer)) == 2
    assert all(title.startswith(head) for title, head in zip(cited(answer), heads))


def test_a_question_read_with_typos_says_how_it_was_read(assistant: Assistant) -> None:
    # the reader sees what the question was taken to mean, as the paper writes it, so a
    # wrong guess shows at once ("deepseek" is not DeepSpeed)
    answer = assistant.ask("wat is gausian splating and how fast does it rendr")
    assert cited(answer) == [GAUSSIAN]
    assert "Read 'gausian' as 'gaussian', 'splating' as 'splatting', 'rendr' as 'render'." in (
        answer.notices
    )
    guessed = assistant.ask("what is deepseek")
    assert "Read 'deepseek' as 'DeepSpeed'." in guessed.notices
    assert not assistant.ask("what is gaussian splatting").notices


def test_how_a_paper_does_something_is_answered_by_its_method_without_a_disclaimer(
    assistant: Assistant,
) -> None:
    # the abstract says how ("we decompose a dataset into buckets"), not "speed up"
    answer = assistant.ask("how does dataset decomposition speed up training")
    assert cited(answer)[0].startswith("Dataset Decomposition")
    assert "does not mention" not in answer.text


def test_who_proposed_x_asks_for_authors_not_the_word_proposed(assistant: Assistant) -> None:
    answer = assistant.ask("who proposed iCaRL and when")
    assert answer.text.startswith("This collection has no author list for it.")
    assert "does not mention" not in answer.text


def test_a_word_of_a_typed_compound_is_not_a_title_name(assistant: Assistant) -> None:
    # "best fit" is the digest's "Best-fit Packing", not the paper titled "FIT: …"
    answer = assistant.ask("does best fit packing reduce hallucination")
    assert cited(answer) == ["Fewer Truncations Improve Language Modeling"]


def test_is_x_in_the_collection_asks_for_the_paper_not_the_word_collection(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("is gptvq in the collection?")
    assert cited(answer) == [GPTVQ]
    assert "does not mention 'collection'" not in answer.text


@pytest.mark.parametrize("question", ["recommender systems papers", "any work on recommenders"])
def test_a_word_that_only_shares_a_stem_with_the_collections_is_not_in_it(
    assistant: Assistant, question: str
) -> None:
    # one abstract says "we recommend an AdamW-Adafactor hybrid": no paper is on recommenders
    answer = assistant.ask(question)
    assert answer.abstained and not answer.citations
    assert "no paper here mentions 'recommender" in answer.text


def test_a_title_phrase_several_titles_share_lists_them_instead_of_picking_one(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("summarize the transformer paper")
    assert answer.text.startswith("6 papers here have 'transformer' in their titles;")
    assert len(cited(answer)) == 6
    assert all("transformer" in title.lower() for title in cited(answer))


def test_a_sentence_about_another_work_does_not_lead_the_answer(assistant: Assistant) -> None:
    # "However, it … does not support the generation of multimodal interleaved sequences" is
    # said of GPT-4o; MIO's own sentence says it generates interleaved video-text
    answer = assistant.ask("does mio support interleaved generation")
    assert answer.text.startswith("Moreover, MIO demonstrates advanced capabilities")


@pytest.mark.parametrize("follow", ["any others?", "got any other ones?", "more?"])
def test_any_others_asks_the_previous_question_again_for_papers_not_given(
    assistant: Assistant, follow: str
) -> None:
    # "others" is no topic (CorDA's abstract says "with the others frozen")
    first, answer = converse(assistant, "any papers on machine unlearning?", follow)
    assert isinstance(first, Answer) and isinstance(answer, Answer)
    assert len(cited(first)) == 2
    assert answer.abstained
    assert "beyond the 2 already given" in answer.text


@pytest.mark.parametrize(
    ("question", "head"),
    [
        # "LM" stands for the title's "Language Models" (the abstracts use "LM" too)
        (
            "what model sizes were trained in the acoustic consistency speech lm paper",
            "Optimizing Speech Language Models for Acoustic Consistency",
        ),
        ("what tasks did the umbc set encoding paper test", "Scalable Set Encoding"),
        # the title has every word but "mllm", which its abstract has
        ("what did the mllm data quality classifier paper release", "Train a Unified Multimodal"),
    ],
)
def test_a_paper_named_by_title_words_and_an_abbreviation_is_found(
    assistant: Assistant, question: str, head: str
) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained
    assert cited(answer)[0].startswith(head)


@pytest.mark.parametrize(
    ("question", "address"),
    [
        ("is mm-interleaved open source?", "https://github.com/OpenGVLab/MM-Interleaved"),
        ("is bitpipe open source?", "https://github.com/wuhouming/BitPipe"),
        ("any github link for lvchat", "github.com/wangyu-ustc/LVChat"),
        ("is there code for loldu", "https://github.com/SKDDJ/LoLDU"),
    ],
)
def test_is_it_open_source_is_answered_by_the_code_address(
    assistant: Assistant, question: str, address: str
) -> None:
    answer = assistant.ask(question)
    assert "does not mention" not in answer.text
    assert address in answer.text.split(". ")[0]


def test_where_is_the_code_says_when_the_abstract_gives_no_address(assistant: Assistant) -> None:
    answer = assistant.ask("where is the code for gptvq")
    assert cited(answer) == [GPTVQ]
    assert answer.text.startswith("The abstract does not mention 'code'.")


def test_a_yes_no_question_is_answered_from_the_papers_own_sentences(
    assistant: Assistant,
) -> None:
    # "the finetuned model suffers from catastrophic forgetting" is said of the PEFT methods
    # CorDA improves on, before it says what it does
    answer = assistant.ask("does corda prevent catastrophic forgeting")
    assert not answer.text.startswith("As a result, there is often a performance gap")


def test_a_yes_no_question_with_an_object_does_not_check_its_verb(assistant: Assistant) -> None:
    _, answer = converse(assistant, "what is cut cross entropy", "does it slow down training")
    assert isinstance(answer, Answer)
    assert "does not mention" not in answer.text
    assert "without sacrificing training speed" in answer.text


def test_compare_them_after_one_paper_then_another_compares_both(assistant: Assistant) -> None:
    *_, answer = converse(assistant, "tell me about switchlora", "what about fira?", "compare them")
    assert isinstance(answer, Answer) and answer.intent == "compare"
    assert sorted(t.split(":")[0] for t in cited(answer)) == ["Fira", "SwitchLoRA"]


def test_a_title_name_of_several_words_typed_in_lower_case_names_the_paper(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("what optimizers were tested in no train no gain")
    assert cited(answer)[0].startswith("No Train No Gain:")


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("papers on generalisation bounds", "Tighter Information-Theoretic Generalization"),
        ("hyperparameter optimisation papers?", "Optimizing Millions of Hyperparameters"),
    ],
)
def test_a_british_spelling_finds_the_american_one_and_is_english(
    assistant: Assistant, question: str, head: str
) -> None:
    answer = assistant.ask(question)
    assert cited(answer)[0].startswith(head)
    assert not any("French" in n for n in answer.notices)


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        # "causal attention", "causal language modeling": no paper on causal inference
        ("causal inference", "causal inference"),
        # one abstract mentions "adversarial training" for a smartphone camera pipeline
        ("adversarial robustness papers", "adversarial robustness"),
    ],
)
def test_a_short_topic_no_paper_has_all_of_says_so(
    assistant: Assistant, question: str, phrase: str
) -> None:
    answer = assistant.ask(question)
    assert answer.text.startswith(f"No paper here has all of '{phrase}';")


def test_a_short_topic_papers_have_lists_them_as_matching(assistant: Assistant) -> None:
    answer = assistant.ask("machine unlearning")
    assert answer.text.startswith("2 papers in this collection match:")


def test_which_paper_has_the_most_after_one_paper_ranks_the_collection(
    assistant: Assistant,
) -> None:
    _, answer = converse(assistant, "what is alpagasus", "which paper has the most gpus")
    assert isinstance(answer, Answer)
    assert cited(answer)[0].startswith("ByteScale")


@pytest.mark.parametrize(
    "earlier",
    [
        ("tell me about loongtrain", "and what about bytescale?"),
        ("which papers are about machine unlearning?",),
    ],
)
def test_whats_the_difference_compares_the_papers_just_discussed(
    assistant: Assistant, earlier: tuple[str, ...]
) -> None:
    *_, answer = converse(assistant, *earlier, "whats the difference")
    assert isinstance(answer, Answer) and answer.intent == "compare"
    assert len(cited(answer)) == 2 and not answer.abstained


def test_a_misspelt_word_that_shares_the_collections_stem_still_finds_it(
    assistant: Assistant,
) -> None:
    # "distilation" stems as "distillation" does; it is a typo of that word, not another word
    # of its stem as "recommender" is of "recommend"
    answer = assistant.ask("which papers are about knowledge distilation")
    assert not answer.abstained and len(answer.citations) >= 3
    assert "does not mention" not in answer.text
