"""Synthetic but realistic-looking texts for the sample delivery (used by generate.py only).

Prompts and responses are built from templated sentences with slots filled from small word
lists. Every draw goes through the ``numpy.random.Generator`` passed in, so the texts are
reproducible from the generator's seed. Texts are plain ASCII so that a length in characters is
the same in Python, DuckDB and any other tool.
"""

from __future__ import annotations

import numpy as np

CATEGORIES = ("writing", "coding", "reasoning", "advice", "summarization", "open_qa", "brainstorming", "extraction")

TOPICS = (
    "composting at home",
    "learning a second language",
    "remote team meetings",
    "saving for retirement",
    "training for a half marathon",
    "reducing food waste",
    "starting a vegetable garden",
    "writing unit tests",
    "public speaking",
    "choosing a laptop",
    "caring for a sourdough starter",
    "planning a road trip",
    "negotiating a salary",
    "indoor air quality",
    "learning to play chess",
    "organising a small library",
    "cycling to work",
    "brewing green tea",
    "backing up family photos",
    "onboarding a new colleague",
    "reading research papers",
    "keeping a bullet journal",
    "repairing a bicycle puncture",
    "hosting a dinner party",
    "birdwatching in winter",
    "moving to a new city",
    "writing a cover letter",
    "budgeting for groceries",
    "caring for houseplants",
    "teaching children to swim",
    "choosing running shoes",
    "migrating a database",
    "code reviews",
    "sleep hygiene",
    "volunteering locally",
    "insulating an old house",
    "renting a first apartment",
    "preparing for a job interview",
    "photographing the night sky",
    "baking rye bread",
    "reducing screen time",
    "managing a small open-source project",
    "buying a used car",
    "writing clear emails",
    "learning statistics",
    "building a bird feeder",
    "travelling with a dog",
    "cutting energy bills",
    "making cold brew coffee",
    "mentoring a junior engineer",
)

AUDIENCES = (
    "a beginner",
    "a busy parent",
    "a retired teacher",
    "a new manager",
    "a university student",
    "a small business owner",
    "a nervous first-timer",
    "a curious teenager",
    "my neighbour",
    "a colleague from another team",
)

LANGS = ("Python", "SQL", "JavaScript", "Rust", "Go", "Bash")

TASKS = (
    "removes duplicates from a list while keeping order",
    "parses a date in ISO format",
    "counts word frequencies in a text file",
    "retries a network call with backoff",
    "merges two sorted lists",
    "validates an email address",
    "reads a CSV file and sums a column",
    "finds the median of a list of numbers",
    "groups records by a key",
    "checks whether a string is a palindrome",
    "flattens a nested list",
    "computes a moving average",
)

PROMPT_TEMPLATES = {
    "writing": (
        "Write a short email to {audience} about {topic}.",
        "Draft a friendly announcement for a newsletter on {topic}.",
        "Write a paragraph that explains {topic} to {audience}.",
        "Compose a short blog introduction about {topic} for {audience}.",
    ),
    "coding": (
        "Write a {lang} function that {task}.",
        "How do I write code in {lang} that {task}? Please explain.",
        "Review this idea: a {lang} helper that {task}. What could go wrong?",
    ),
    "reasoning": (
        "A friend says {topic} is not worth the effort. Weigh the arguments for and against.",
        "What are the trade-offs involved in {topic}? Reason step by step.",
        "If I only had one hour a week for {topic}, how should I prioritise it and why?",
    ),
    "advice": (
        "I am {audience}. What should I know before starting with {topic}?",
        "Give me practical advice on {topic}. I am {audience}.",
        "What common mistakes do people make with {topic}, and how can {audience} avoid them?",
    ),
    "summarization": (
        "Summarise the main points a guide on {topic} would cover, for {audience}.",
        "Summarise in a few lines why {topic} matters.",
        "Give a short summary of the usual steps in {topic}.",
    ),
    "open_qa": (
        "What is the most important thing to understand about {topic}?",
        "Why do people find {topic} difficult?",
        "How long does it usually take to get good at {topic}?",
    ),
    "brainstorming": (
        "List some creative ideas related to {topic} for {audience}.",
        "Brainstorm names for a workshop on {topic}.",
        "Suggest ways to make {topic} more fun for {audience}.",
    ),
    "extraction": (
        "From a paragraph about {topic}, extract the three key actions a reader should take.",
        "Extract the costs and the benefits mentioned in a typical article on {topic}.",
        "Pull out the main terms someone new to {topic} needs to learn.",
    ),
}

OPENERS = (
    "Here is a clear way to think about {topic}.",
    "Good question: {topic} is easier once you break it into steps.",
    "Sure. {Topic} comes down to a few practical habits.",
    "The short answer is that {topic} rewards consistency more than intensity.",
    "Let me walk through {topic} step by step.",
    "{Topic} is a common goal, and there are a few things that help.",
)

BODY = (
    "Start small, so that the first attempt is easy to finish and easy to repeat.",
    "Write down what you want to achieve before you begin, because a vague goal is hard to measure.",
    "Set aside a fixed time each week and protect it from other commitments.",
    "Keep a simple log of what you tried and what happened; patterns appear after a few weeks.",
    "Ask someone with experience to look at your plan, since a second opinion catches blind spots.",
    "Budget a little more time than you expect for the first round.",
    "Check the result against your original goal rather than against what others are doing.",
    "Prefer tools you already own before buying anything new.",
    "Break the work into pieces that each take less than half an hour.",
    "Measure one thing at a time so that you know which change made the difference.",
    "Expect the second week to feel harder than the first; that is normal.",
    "Read the instructions once in full before starting, then again while you work.",
    "If something fails, change one variable and try again instead of starting over.",
    "Keep the environment tidy, because clutter makes small mistakes more likely.",
    "Review your notes at the end of each month and drop the habits that did not help.",
    "Share what you learn with {audience}; explaining it is a good test of understanding.",
    "Safety first: read the warnings and use protective equipment where it is recommended.",
    "Costs add up quietly, so track them from the very beginning.",
    "The most common mistake is trying to do everything at once.",
    "A checklist helps more than motivation on the days when energy is low.",
)

CODE_BODY = (
    "In {lang}, the idea is to walk through the input once and keep only what you need.",
    "Use a small helper with a clear name, so the caller does not need to know the details.",
    "Handle the empty input first, then the normal case.",
    "Add a test for the edge cases: an empty input, a single element and a very large input.",
    "Avoid modifying the input in place unless the caller expects it.",
    "The running time is linear in the size of the input, which is fine for most uses.",
    "Log a clear message when the input is invalid instead of failing silently.",
    "Prefer the standard library of {lang} over a third-party package for something this small.",
    "Give the function a docstring that states what it returns for an empty input.",
    "Keep the function pure: no printing, no global state, just input and output.",
    "Type hints or a short comment on the expected input make the intent clear to reviewers.",
    "Measure before optimising; the simple version is usually fast enough.",
    "If the input can be very large, process it as a stream instead of loading it all at once.",
    "Name the variables after what they hold, not after their type.",
    "Run the tests on every change, so that a regression shows up immediately.",
    "Ask a colleague to review the code, since a second reader catches unclear names and missed cases.",
)

FILLER = (
    "It is worth noting that there are many different factors to consider here.",
    "As mentioned above, this is an important point to keep in mind.",
    "In conclusion, {topic} can be rewarding if you approach it in the right way.",
    "Of course, everyone's situation is different, so what works for one person may not work for another.",
    "I hope this helps! Let me know if you have any other questions about {topic}.",
    "To summarise once more, the key is to be consistent and patient.",
    "There are also many other resources available online that cover {topic} in more detail.",
    "Ultimately, the best approach depends on your specific goals and circumstances.",
    "It is important to remember that {topic} is a journey rather than a destination.",
    "Additionally, it can be helpful to consult an expert if you are unsure.",
)

CLOSERS = (
    "Good luck!",
    "That should be enough to get started.",
    "Adjust the plan after the first month.",
    "Keep it simple and build from there.",
    "",
)


def _fill(template: str, topic: str, audience: str, lang: str) -> str:
    return template.format(topic=topic, Topic=topic[0].upper() + topic[1:], audience=audience, lang=lang)


def make_prompt(rng: np.random.Generator, category: str) -> tuple[str, dict]:
    """A prompt of the category and the slot values its responses reuse."""
    slots = {
        "topic": str(rng.choice(TOPICS)),
        "audience": str(rng.choice(AUDIENCES)),
        "lang": str(rng.choice(LANGS)),
        "task": str(rng.choice(TASKS)),
    }
    template = str(rng.choice(PROMPT_TEMPLATES[category]))
    if category == "coding":  # responses talk about the code asked for, not about a random topic
        slots["topic"] = f"writing {slots['lang']} code that {slots['task']}"
    return template.format(**slots), slots


def make_response(rng: np.random.Generator, category: str, slots: dict, n_sentences: int, n_filler: int = 0) -> str:
    """A response of ``n_sentences`` content sentences plus ``n_filler`` padding sentences.

    About a third of the responses are laid out as a numbered list (with newlines).
    """
    topic, audience, lang = slots["topic"], slots["audience"], slots["lang"]
    bank = CODE_BODY if category == "coding" else BODY
    picks = rng.choice(len(bank), size=min(n_sentences, len(bank)), replace=False)
    body = [_fill(bank[i], topic, audience, lang) for i in picks]
    extra = n_sentences - len(body)
    if extra > 0:  # longer than the bank: repeat with light variation
        body += [
            f"Again, {_fill(bank[i], topic, audience, lang)[0].lower()}{_fill(bank[i], topic, audience, lang)[1:]}"
            for i in rng.choice(len(bank), size=extra)
        ]
    opener = _fill(str(rng.choice(OPENERS)), topic, audience, lang)
    fillers = [
        _fill(FILLER[i], topic, audience, lang)
        for i in rng.choice(len(FILLER), size=min(n_filler, len(FILLER)), replace=False)
    ]
    closer = str(rng.choice(CLOSERS))
    if len(body) >= 3 and rng.random() < 0.35:
        parts = [opener, "\n".join(f"{k}. {s}" for k, s in enumerate(body, start=1))]
    else:
        parts = [opener + " " + " ".join(body)]
    if fillers:
        # padding is spread through the text, the way a verbose model restates itself
        parts.insert(1, " ".join(fillers[: len(fillers) // 2]))
        parts.append(" ".join(fillers[len(fillers) // 2 :]))
    if closer:
        parts.append(closer)
    return "\n\n".join(p for p in parts if p)
