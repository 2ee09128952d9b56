"""Multi-frame plate consensus: turn the reads of one track into one read with an honest confidence.

Steps (`track_consensus`):
1. Normalise each read and run the region grammar on it; empty reads and texts longer than
   ``MAX_TEXT_LEN`` are counted in ``total`` but otherwise ignored.
   A read weighs its confidence, times its measured view quality (plate size x sharpness,
   `detect.reading.quality`; 1 when unknown), times ``VALID_WEIGHT`` when its text is grammar-valid,
   so one large sharp frame outweighs many small blurred ones.
2. Cluster the distinct per-read texts, heaviest first: a text joins the first cluster whose leader
   is within confusable distance 1 (confusable swaps are free, one other edit allowed), else it
   starts a new cluster. Leader clustering, not single linkage, so that a chain of one-edit steps
   cannot merge two different plates. The heaviest cluster wins (an ID switch mid-track leaves the
   other vehicle's plate in a smaller cluster).
3. Within the winner, keep the reads of the commonest length (by weight; reads one character longer
   that extend those at an end win with ``WHOLE_PLATE_SHARE`` of that weight) and vote per position,
   weighted; the voted string goes through the grammar again. If the grammar finds it ambiguous,
   the per-character votes pick among its alternatives (DOMAIN rule 2: prefer per-character evidence
   over blind substitution); a tie leaves it unresolved. The output's ``raw_text`` is the commonest
   raw text in the winning cluster; its timestamp and box are those of the best supporting read.
4. Confidence = evidence x agreement, capped below 1:
   * evidence: reads that support the final text, grouped by reader. Within one reader the best read
     counts fully and each further frame with exponent ``SAME_READER_EXPONENT`` (frames of one pass
     are strongly correlated, so a systematic misread does not become certain by repetition); the
     readers are then combined as independent: ``1 - prod(1 - p_reader)``.
   * agreement: share of the track's weight in the winning cluster, x the weakest per-position vote
     share, x the share of the winner's weight at the voted length, x ``CORRECTION_FACTOR`` per
     character where the result differs from what the readers mostly returned (a repaired
     character was never read as such), x ``INVALID_FACTOR`` when the result is not a valid plate,
     x ``AMBIGUOUS_FACTOR`` while alternatives remain.
   * cap: ``SINGLE_READER_CAP`` with one reader (its correlated errors cannot be averaged away),
     ``MULTI_READER_CAP`` when two or more readers support the text.

Cost: distinct texts m <= n, each compared with at most every cluster leader, so O(n^2) checks of
O(len) each (texts are capped at ``MAX_TEXT_LEN``); fine for the n <= 200 reads a caller keeps.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date

from detect.reading.choice import extends_at_an_end
from detect.reading.country import outside_europe
from detect.reading.grammar import GrammarResult, Region, apply_grammar, normalise
from detect.reading.grammar_confusion import within_one_confusable_edit
from detect.records import PlateRead

# Longer normalised texts are not plates (a sign, a caption); they are counted but not clustered,
# which also bounds the O(len^2) distance computations.
MAX_TEXT_LEN = 16
VALID_WEIGHT = 1.5
SAME_READER_EXPONENT = 0.25
CORRECTION_FACTOR = 0.9
INVALID_FACTOR = 0.6
AMBIGUOUS_FACTOR = 0.8
# Reads of the whole plate outvote shorter reads of it when they weigh at least this share of them
# (`_whole_plate_length`); below it the short reads are the track's evidence.
WHOLE_PLATE_SHARE = 0.5
SINGLE_READER_CAP = 0.95
MULTI_READER_CAP = 0.99
CONSENSUS_READER = "consensus"


@dataclass(frozen=True, slots=True)
class Consensus:
    """The consensus read of a track and how much of the track supports it."""

    read: PlateRead
    support: int  # reads whose own (grammar-corrected) text equals the consensus text
    total: int  # reads given, empty ones included
    clusters: int  # distinct plates (clusters) among the non-empty reads
    readers: tuple[str, ...]  # distinct readers among the supporting reads
    alternatives: tuple[str, ...] = ()  # readings the grammar could not rule out


@dataclass(frozen=True, slots=True)
class _Item:
    read: PlateRead
    raw: str
    grammar: GrammarResult
    weight: float
    light: bool = False  # read on a plate with light characters on a dark ground (`_items`)

    @property
    def text(self) -> str:
        return self.grammar.text


def plate_consensus(
    reads: Sequence[PlateRead], region: Region, on_date: date | None = None
) -> PlateRead | None:
    """Consensus read of a track, or None when no read has any text. See `track_consensus`."""
    result = track_consensus(reads, region, on_date)
    return None if result is None else result.read


def track_consensus(
    reads: Sequence[PlateRead], region: Region, on_date: date | None = None
) -> Consensus | None:
    """Vote across the reads of one track (module docstring). `on_date` is the date the grammar's
    age-identifier rule is checked at; by default the date (UTC) of the latest read."""
    if not reads:
        return None
    on = on_date or max(r.timestamp for r in reads).astimezone(UTC).date()
    items = _items(reads, region, on)
    if not items:
        return None
    clusters = _cluster(items)
    winner = max(clusters, key=lambda c: sum(i.weight for i in c))
    length_weights: defaultdict[int, float] = defaultdict(float)
    for item in winner:
        length_weights[len(item.text)] += item.weight
    length = _whole_plate_length(winner, length_weights)
    voters = [i for i in winner if len(i.text) == length]
    votes = _votes(voters)
    voted = "".join(max(v, key=lambda ch: (v[ch], ch)) for v in votes)
    light = sum(i.weight for i in voters if i.light) * 2 > sum(i.weight for i in voters)
    final = _resolve(apply_grammar(voted, region, on, light_text=light), votes, region, on)

    raw_voted = "".join(max(v, key=lambda ch: (v[ch], ch)) for v in _votes(voters, raw=True))
    supporters = [i for i in winner if final.text in (i.text, i.raw)]
    readers = tuple(sorted({i.read.reader for i in supporters}))
    total_weight = sum(i.weight for i in items)
    winner_weight = sum(i.weight for i in winner)
    agreement = (
        (winner_weight / total_weight)
        * min(v[ch] / sum(v.values()) for v, ch in zip(votes, voted, strict=True))
        * (length_weights[length] / winner_weight)
        * CORRECTION_FACTOR ** sum(a != b for a, b in zip(raw_voted, final.text, strict=True))
        * (1.0 if final.valid else INVALID_FACTOR)
        * (AMBIGUOUS_FACTOR if final.alternatives else 1.0)
    )
    evidence = _evidence(supporters) if supporters else max(i.read.confidence for i in voters)
    cap = MULTI_READER_CAP if len(readers) >= 2 else SINGLE_READER_CAP
    best = _best_read(supporters or voters, final.text)
    raw_text = _commonest_raw(winner)
    read = PlateRead(
        raw_text=raw_text,
        text=final.text,
        confidence=round(min(evidence * agreement, cap), 4),
        timestamp=best.read.timestamp,
        box=best.read.box,
        reader=CONSENSUS_READER,
        grammar_valid=final.valid,
        grammar_format=final.format,
        quality=best.read.quality,
    )
    return Consensus(
        read=read,
        support=len(supporters),
        total=len(reads),
        clusters=len(clusters),
        readers=readers,
        alternatives=final.alternatives,
    )


def _items(reads: Sequence[PlateRead], region: Region, on: date) -> list[_Item]:
    items: list[_Item] = []
    for read in reads:
        raw = normalise(read.raw_text) or normalise(read.text)
        if not raw or len(raw) > MAX_TEXT_LEN:
            continue
        # A frame's read kept as read on its plate's evidence (white on black: Indonesian B1248PC,
        # not Croatian BI248PC) keeps that evidence here; the patch itself is not carried this far.
        light = region == "any" and read.text == raw and outside_europe(read.grammar_format)
        grammar = apply_grammar(raw, region, on, light_text=light)
        quality = 1.0 if read.quality is None else read.quality
        weight = read.confidence * quality * (VALID_WEIGHT if grammar.valid else 1.0)
        items.append(_Item(read, raw, grammar, weight, light))
    return items


def _whole_plate_length(winner: list[_Item], length_weights: dict[int, float]) -> int:
    """The voted length: the heaviest, unless reads one character longer that extend its texts at
    an end (`choice.extends_at_an_end`: not a band letter in front) weigh at least
    `WHOLE_PLATE_SHARE` of it. A frame that dropped the first character and so fits some layout
    (4A23126, Czech, of a Vietnamese 34A23126 read whole in two frames) must not outvote the frames
    that read the whole plate for being valid (`VALID_WEIGHT`): the whole-plate rule, across frames."""
    length = max(length_weights, key=lambda n: (length_weights[n], n))
    shorter = {i.text for i in winner if len(i.text) == length}
    whole = sum(
        i.weight
        for i in winner
        if len(i.text) == length + 1 and any(extends_at_an_end(i.text, t) for t in shorter)
    )
    return length + 1 if whole > 0 and whole >= WHOLE_PLATE_SHARE * length_weights[length] else length


def _cluster(items: list[_Item]) -> list[list[_Item]]:
    by_text: defaultdict[str, list[_Item]] = defaultdict(list)
    for item in items:
        by_text[item.text].append(item)
    order = sorted(by_text, key=lambda t: (-sum(i.weight for i in by_text[t]), t))
    leaders: list[str] = []
    clusters: list[list[_Item]] = []
    for text in order:
        for leader, members in zip(leaders, clusters, strict=True):
            if within_one_confusable_edit(text, leader):
                members.extend(by_text[text])
                break
        else:
            leaders.append(text)
            clusters.append(list(by_text[text]))
    return clusters


def _votes(voters: list[_Item], raw: bool = False) -> list[dict[str, float]]:
    """Weighted character votes per position, over the grammar texts (or the raw texts, which have
    the same length: the grammar only substitutes)."""
    votes: list[dict[str, float]] = [defaultdict(float) for _ in voters[0].text]
    for item in voters:
        for pos, ch in enumerate(item.raw if raw else item.text):
            votes[pos][ch] += item.weight
    return votes


def _resolve(result: GrammarResult, votes: list[dict[str, float]], region: Region, on: date) -> GrammarResult:
    """Pick among an ambiguous result's alternatives by the weight of the characters read."""
    if result.valid or not result.alternatives:
        return result
    # Only alternatives made by swapping characters can be weighed position by position (region
    # "any" also proposes texts with an emblem dropped, one character shorter).
    same_length = [alt for alt in result.alternatives if len(alt) == len(votes)]
    if not same_length:
        return result
    scored = sorted(
        ((sum(v.get(ch, 0.0) for v, ch in zip(votes, alt, strict=True)), alt) for alt in same_length),
        reverse=True,
    )
    if len(scored) > 1 and scored[0][0] <= scored[1][0]:
        return result
    chosen = apply_grammar(scored[0][1], region, on)
    return GrammarResult(
        raw=result.raw,
        text=chosen.text,
        valid=chosen.valid,
        format=chosen.format,
        corrected=True,
        alternatives=(),
        warnings=chosen.warnings,
    )


def _evidence(supporters: list[_Item]) -> float:
    by_reader: defaultdict[str, list[float]] = defaultdict(list)
    for item in supporters:
        by_reader[item.read.reader].append(item.read.confidence)
    doubt = 1.0
    for confidences in by_reader.values():
        best, *rest = sorted(confidences, reverse=True)
        reader_doubt = 1.0 - best
        for c in rest:
            reader_doubt *= (1.0 - c) ** SAME_READER_EXPONENT
        doubt *= reader_doubt
    return 1.0 - doubt


def _best_read(candidates: list[_Item], text: str) -> _Item:
    """The read that best supports `text`: most matching positions, then weight (confidence x view
    quality), then earliest."""

    def key(item: _Item) -> tuple[int, float, float]:
        matches = sum(a == b for a, b in zip(item.text, text, strict=False))
        return (matches, item.weight, -item.read.timestamp.timestamp())

    return max(candidates, key=key)


def _commonest_raw(items: list[_Item]) -> str:
    counts = Counter(i.raw for i in items)
    weights: defaultdict[str, float] = defaultdict(float)
    for item in items:
        weights[item.raw] += item.weight
    return max(counts, key=lambda raw: (counts[raw], weights[raw], raw))
