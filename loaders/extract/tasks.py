"""Tasks and responsibilities: who must do what, in which role, by when or how often.

Two shapes of text are read:

* **Numbered agency headings** ("Tổ chức thực hiện"): a line ``2. Chủ tịch Ủy ban nhân dân tỉnh X:``
  whose text names an agency (or a collective such as ``Bộ trưởng, Thủ trưởng cơ quan ngang bộ``),
  followed by items ``a) … b) …`` (or plain paragraphs) up to the next numbered or Roman heading.
  Each item is a ``qh:Task`` whose lead (``role/lead``) is the heading agency.
* **Prose**: a sentence whose subject is an agency (``Bộ X chủ trì, phối hợp với Bộ Y …``,
  ``Thủ tướng Chính phủ giao Bộ X công bố …`` — the agency after ``giao`` is the subject, the one
  before it only assigns), a collective (``Các địa phương vùng …``, ``Các huyện, thành phố, các ngành``,
  ``đơn vị tư vấn``) or a province acting (``tỉnh Lạng Sơn sẽ thực hiện …`` -> its People's Committee).
  A following sentence that opens with a role verb and names no subject (``Đồng thời, chủ trì …``,
  ``Xây dựng Kế hoạch …``, or with a word that carries a duty on, ``Tiếp tục duy trì tập huấn, hướng
  dẫn …``) carries the subject over, within the same or the next paragraph. The acts of bodies urged
  or served (``đôn đốc các bộ kịp thời công bố và cập nhật …``, ``làm cơ sở cho các địa phương công
  bố``) are theirs, not the subject's.
* **Duty articles**: the subjectless clauses of ``Điều 5. Trách nhiệm của Bộ X`` (or ``Nhiệm vụ,
  quyền hạn của …``) belong to the agencies the heading names.

Groups and levels: ``Ủy ban nhân dân cấp tỉnh / cấp huyện / cấp xã / các cấp``, ``Chủ tịch Ủy ban nhân
dân các tỉnh, thành phố trực thuộc trung ương``, ``các bộ, ngành(, địa phương) (liên quan / có biển …)``,
``các Bộ, cơ quan``, ``các Bộ quản lý chuyên ngành khác``, ``các cơ quan có liên quan`` are collectives
(not ``cơ quan, tổ chức, cá nhân``: organisations that are not agencies); a kind of provincial department
named without its province where the resolver cannot place it (``Sở Nội vụ tổ chức thẩm định …`` in a
national decree: every province's department) is that kind's collective (``collective/so-noi-vu``). Subjects coordinated by commas
or ``và`` (``Bộ Quốc phòng, Bộ Công an cập nhật …``) share the verbs, and so do the headings that name
several; ``các Bộ: Xây dựng, Công Thương, Nông nghiệp và Môi trường`` names each ministry. A numbered
heading's section ends at the next number of its list, heading or not. Bodies guided, checked or
directed (``hướng dẫn các địa phương thực hiện``, ``Chỉ đạo các Ban Quản lý dự án, đơn vị tư vấn …``),
agencies after ``trước`` / ``do``, subjects in the past (``… đã chấp thuận``) or in progress (``… đang
xây dựng đề án``), verbs inside typographic quotes (a quoted content: ``được điều chỉnh thành: “Hoàn
thành xây dựng …”``) and questions get no task. A kind of body with one office per port named without
its place (``Cảng vụ hàng không``) is a collective.

Roles come from verbs (:data:`ROLE_VERBS`): chủ trì / chỉ đạo -> lead, phối hợp / (có trách nhiệm) giúp
-> cooperate, báo cáo -> report (not after ``lập``: ``lập báo cáo``, ``lập kế hoạch``, ``lập hồ sơ`` -> implement),
công bố / tuyên truyền / phổ biến -> publish, hướng dẫn -> guide, trình / gửi -> submit, thẩm định ->
appraise, thực hiện / triển khai / xây dựng / hoàn thiện / chỉnh sửa / cập nhật / tổ chức lập / lập, … /
(cần, phải, chủ động, kịp thời) xử lý / nghiên cứu / nâng cấp / giải quyết / ban hành (not of a named
``Quyết định …``: a report of the act) -> implement, kiểm tra / giám sát / theo dõi / đôn đốc -> monitor;
a verb followed by ``của`` is a noun (``hướng dẫn của Bộ Tài chính``). A verb
belongs to the nearest subject before it in its clause; ``phối hợp với Y`` gives Y the cooperate role;
``gửi Y để tổng hợp, báo cáo`` makes Y the subject of the purpose clause, and so does ``gửi Y kiểm tra, …``
(a verb right after Y). ``X chỉ đạo Y lập …``: X leads; the directed act is Y's, not X's (an item opening
with ``Chỉ đạo …`` under an agency's heading stays that agency's, acts included). ``Hội đồng thẩm định``
names a body: setting one up (``Thủ tướng … quyết định thành lập Hội đồng thẩm định``) is no appraisal. Agencies after ``của``,
``với``, ``tới``, ``cho``, ``được``, ``báo cáo``, ``trình``, ``gửi``, ``hướng dẫn`` are objects, not
subjects. Verbs in the past (``đã``, ``vừa``), passive (``được``), nominal (``kế hoạch thực hiện``,
``kết quả thực hiện``, ``quá trình …``, ``việc …``) or purpose clauses without their own subject
(``để …``, ``nhằm …``) are ignored, as are meeting formalities (``chủ trì Phiên họp``).

Deadlines: ``Từ nay đến ngày 20/6`` (year from the document date), ``trước ngày 31/12/2025``,
``trong quý IV năm 2024``; recurrence: ``định kỳ hằng năm và 05 năm`` -> ``annual``, ``five-yearly``;
``định kỳ`` alone -> ``periodic``. Agencies resolve through the resolver with the document's province
as hint; collectives and unknown bodies become flagged nodes ``ID/agency/collective/{slug}`` /
``ID/agency/unresolved/{slug}`` with ``qh:unresolved true``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from rdflib import RDF, RDFS, XSD, Literal, URIRef

from quyhoach.loaders.extract._shared import (
    alternation,
    alternative,
    hint_in,
    lead_by_first_chars,
    paragraph_bounds,
    position_test,
    prefiltered,
    province_code,
    sentences,
    top_level_alternatives,
)
from quyhoach.loaders.extract.citations import main_mention, quoted_document
from quyhoach.loaders.extract.dates import find_dates
from quyhoach.loaders.model import CleanDocument, Emitter, ExtractionContext, Span
from quyhoach.loaders.reference.agencies import agency_data
from quyhoach.namespaces import ID, QH, SKOS
from quyhoach.text import VI_UPPER, slugify

#: Role verbs, most specific first.
ROLE_VERBS: list[tuple[str, str]] = [
    (r"chủ trì", "lead"),
    # the directing body leads: "Ủy ban nhân dân cấp tỉnh chỉ đạo Sở Nội vụ lập hồ sơ" (not "Ban Chỉ đạo",
    # "ý kiến chỉ đạo", "văn bản chỉ đạo", "sự chỉ đạo")
    (r"(?<!ban )(?<!kiến )(?<!bản )(?<!sự )(?<!lãnh đạo, )chỉ đạo(?! điều hành)", "lead"),
    (r"phối hợp|(?<=có trách nhiệm )giúp", "cooperate"),
    (r"báo cáo", "report"),
    # "thông báo cho / tới / đến …" (a notice sent), not the noun ("Thông báo số …", "theo thông báo của …")
    (r"công bố|tuyên truyền|phổ biến|công khai|thông báo(?=\s+(?:cho|tới|đến)\b)", "publish"),
    (r"hướng dẫn", "guide"),
    (r"(?<!báo cáo )thẩm định|xem xét,\s*đánh giá", "appraise"),  # not "Báo cáo thẩm định" (the appraisal report)
    (r"(?<!quá )(?<!chương )(?<!tờ )(?<!công )(?<!lộ )(?<!quy )(?<!tiến )trình(?! độ)", "submit"),
    (r"gửi", "submit"),
    (r"kiểm tra, giám sát|giám sát|theo dõi|kiểm tra|đôn đốc", "monitor"),
    (r"thực hiện|triển khai|xây dựng|hoàn thiện|chỉnh sửa|thi hành|cập nhật|(?<!khu vực )(?<!trung tâm )(?<!viện )(?<!cơ sở )(?<!công tác )nghiên cứu(?!\s*[–—-]\s)|nâng cấp|giải quyết|"
     r"(?<!được )(?<!chưa )ban hành(?!\s+(?:Quyết định|Nghị quyết|Nghị định|Kế hoạch|Thông tư|Chỉ thị|Công văn|Luật)\b)|"
     r"tổ chức lập|lập(?=,\s|\s+và\s)|(?<!thành )(?<!thiết )lập(?=\s+(?:báo cáo|kế hoạch|hồ sơ|đề án|danh mục|phương án|dự toán)\b)|(?<=cần )xử lý|(?<=phải )xử lý|(?<=chủ động )xử lý|(?<=kịp thời )xử lý",
     "implement"),
]
# each phrase its own alternative, in the same order (the same matches), so that at a position
# only the phrases that can start with its character are tried
_VERB_PHRASES = [(phrase, role) for pattern, role in ROLE_VERBS for phrase in top_level_alternatives(pattern)]
_VERB_RE = alternation([f"\\b(?:{phrase})\\b" for phrase, _ in _VERB_PHRASES], "v", re.IGNORECASE)
_NOMINAL_BEFORE = re.compile(
    r"(?:\b(?:kế hoạch|kết quả|quá trình|việc|tình hình|đánh giá|được|đã|vừa|mục tiêu|lộ trình|về|các|những|"
    r"kinh phí|nguồn vốn|hiệu lực|lập|hội đồng|tiến độ|phạm vi|chi tiết|khởi công|động thổ|tiếp thu)\s+(?:tổ chức\s+|triển khai\s+)?)$",
    re.IGNORECASE,
)
#: A verb used as a noun: "hướng dẫn của Bộ Tài chính", "theo dõi của …".
_OF_AFTER = re.compile(r"\s+của\b", re.IGNORECASE)
#: Verbs whose object acts under them: in "hướng dẫn các địa phương thực hiện" the duty is the guiding.
_DIRECTING_BEFORE = re.compile(
    r"\b(?:hướng dẫn|đôn đốc|kiểm tra|chỉ đạo)(?:,\s*(?:hướng dẫn|đôn đốc|kiểm tra|chỉ đạo))*\s*$", re.IGNORECASE
)
#: Adverbs between a directed body and its act ("đôn đốc các bộ kịp thời công bố").
_ADVERBS = re.compile(r"\s*(?:(?:kịp thời|khẩn trương|chủ động|tích cực|sớm)\s+)*", re.IGNORECASE)
_MEETING_AFTER = re.compile(r"\s*(?:phiên họp|cuộc họp|hội nghị|buổi làm việc|buổi họp)", re.IGNORECASE)
_OBJECT_BEFORE = re.compile(
    r"(?:\b(?:của|với|tới|cho|được|bởi|báo cáo|trình|gửi|hướng dẫn|xin|theo|đến|và|giữa|từ|trước|do)\s*"
    r"(?:(?:Bộ trưởng|Thủ trưởng|Chủ tịch)\s+)?)$", re.IGNORECASE
)
_COOP_BEFORE = re.compile(r"phối hợp(?:\s+chặt chẽ)?\s+với\s+(?:[^;.]{0,80}?(?:,|\s+và)\s*(?:các\s+)?)?$", re.IGNORECASE)
#: A subject in the past ("Thủ tướng Chính phủ đã chấp thuận …"): a report of an act, not a duty.
_PAST_AFTER = re.compile(r"\s+(?:đã|vừa|từng|đang)\b", re.IGNORECASE)  # "đang …": what it is doing
#: "Chỉ đạo các Ban Quản lý dự án …" opening a clause: the bodies are directed, the duty is the directing.
_DIRECT_OPENING = re.compile(r"\W*(?:\(\d+\)\s*|[a-zđ]\)\s*|-\s*)?(?:đồng thời,\s*)?chỉ đạo\s+(?:các\s+)?(?:[^;.:]{0,80}?,\s*(?:các\s+)?)?$", re.IGNORECASE)
_GIVE_BEFORE = re.compile(r"\b(?:giao|yêu cầu|đề nghị)\s*$", re.IGNORECASE)
#: After an agency: an optional person's name, then a verb of assigning or signing.
_ASSIGNER_AFTER = re.compile(
    r"\s*(?:[A-ZĐÀ-Ỹ][^\W\d_]*\s+){0,4}(?:vừa\s+|đã\s+)?(?:giao|yêu cầu|đề nghị|ký)\b"
)
_PURPOSE = re.compile(r"\b(?:để|nhằm)\b", re.IGNORECASE)
#: A sentence's opening source phrase up to a body ("Theo báo cáo của Cục Thống kê - "): who reports.
_SOURCE_OPENING = re.compile(r"\W*Theo\s+(?:báo cáo|số liệu|thông tin|thống kê|công bố)\b[^,;.]*", re.IGNORECASE)
#: After a subject: a stated intent ("sẽ tiếp tục …"), as news reports it; no duty is assigned.
_INTENT_AFTER = re.compile(r"\s+sẽ\s+tiếp\s+tục\b", re.IGNORECASE)
_SUBMIT_BEFORE = re.compile(r"\b(?:trình|gửi|báo cáo)\s*$", re.IGNORECASE)
_PURPOSE_AFTER = re.compile(r"\s*(?:để|nhằm)\b(?!\s+được)", re.IGNORECASE)  # not "để được hướng dẫn"
_CONNECTIVES = re.compile(
    r"(?:\W|đồng thời|ngoài ra|bên cạnh đó|trong đó|cụ thể|theo đó|tại quyết định|tại kế hoạch|từ nay đến ngày \d{1,2}/\d{1,2}(?:/\d{4})?)*",
    re.IGNORECASE,
)
#: What may follow a group of bodies and belongs to it ("… liên quan", "… có biển").
_GROUP_QUALIFIER = r"(?:trung ương|liên quan|có liên quan|có biển|ven biển)(?![^\W\d_])"
#: Collectives and bodies the reference data does not hold: (pattern, kind).
COLLECTIVES: list[tuple[str, str]] = [
    (r"(?:các\s+)?Bộ trưởng,\s*Thủ trưởng\s+cơ quan ngang bộ(?:,\s*(?:Thủ trưởng\s+)?cơ quan thuộc Chính phủ)?", "collective"),
    (r"(?:các\s+)?bộ,\s*cơ quan ngang bộ(?:,\s*cơ quan thuộc Chính phủ)?", "collective"),
    (rf"(?:các\s+)?bộ,\s*ngành(?:(?:,\s*|\s+và\s+)(?:các\s+)?địa phương)?(?:\s+{_GROUP_QUALIFIER}){{0,2}}", "collective"),
    (rf"(?:các\s+)?bộ,\s*cơ quan(?:\s+{_GROUP_QUALIFIER}){{0,2}}(?![^\W\d_]|,\s*(?:tổ chức|cá nhân|doanh nghiệp))", "collective"),
    (r"các\s+bộ\s+quản lý\s+(?:chuyên ngành|ngành)(?:\s+khác)?", "collective"),
    (r"(?:các\s+)?cơ quan\s+(?:có liên quan|liên quan)(?![^\W\d_])", "collective"),
    # kinds of body listed together and qualified as a group: "các cơ quan, đơn vị(, địa phương) (có) liên quan"
    (r"(?:các\s+)?(?:cơ quan|đơn vị)(?:,\s*(?:các\s+)?(?:cơ quan|đơn vị|địa phương|tổ chức))+\s+(?:có\s+)?liên quan(?![^\W\d_])",
     "collective"),
    # the committees of the lower units a text names as a group: "UBND các xã, phường liên quan"
    (r"(?:Ủy ban nhân dân|UBND)\s+các\s+(?:xã|phường|quận|huyện|thị xã|thị trấn)"
     r"(?:,\s*(?:xã|phường|quận|huyện|thị xã|thị trấn|thành phố))*(?:\s+(?:có\s+)?liên quan)?(?![^\W\d_])", "collective"),
    (r"(?:Chủ tịch\s+)?(?:Ủy ban nhân dân|UBND)\s+(?:cấp (?:tỉnh|huyện|xã)|các cấp|"
     r"các tỉnh,\s*thành phố(?:\s+trực thuộc\s+[Tt]rung ương)?)", "collective"),
    (r"(?:các|từng)\s+sở,\s*(?:ban,\s*)?ngành(?:,\s*địa phương)?(?:\s+(?:liên quan|có liên quan))?", "collective"),
    (r"Ủy ban nhân dân các huyện,\s*thành phố|UBND các huyện,\s*thành phố", "collective"),
    (r"(?:các\s+)?huyện,\s*thành phố(?:,\s*các ngành)?", "collective"),
    (r"các\s+địa phương(?:\s+(?:có liên quan|liên quan))?|địa phương\s+(?:có liên quan|liên quan)", "collective"),
    (r"đơn vị tư vấn", "collective"),
    # a kind of body with one office per port or region, named without its place in a national text
    # ("Cảng vụ hàng không có trách nhiệm …"): every such body
    (r"Cảng vụ\s+(?:hàng không|hàng hải|đường thủy nội địa)(?!\s+(?:miền\s+)?(?-i:[" + VI_UPPER + "]))", "collective"),
    (r"Ban Cán sự(?: đảng)?(?: Ủy ban nhân dân tỉnh| UBND tỉnh)?", "unresolved"),
]
_COLLECTIVE_RE = alternation([p for p, _ in COLLECTIVES], "c", re.IGNORECASE)
_HEADING_RE = re.compile(
    r"^[ \t]*(?:(?P<num>\d{1,2})\.|\((?P<pnum>\d{1,2})\))[ \t]+(?P<h>[^\n]{3,200}?)[ \t]*:[ \t]*$", re.MULTILINE
)
#: A duty heading naming a body outside the reference data ("(1) Cục Hàng không Việt Nam có trách nhiệm:").
_DUTY_HOLDER = re.compile(
    r"(?P<body>(?:Cục|Tổng cục|Vụ|Viện|Trung tâm|Ban quản lý|Văn phòng|Kho bạc|Thanh tra)\s+[^,;:()\n]{2,80}?)"
    r"\s+(?:có trách nhiệm|chịu trách nhiệm|có nhiệm vụ)"
)
#: A numbered line that is only an agency's name, its duties on the lines below ("1. Sở Tài chính").
_BARE_HEADING_RE = re.compile(r"^[ \t]*(?P<num>\d{1,2})\.[ \t]+(?P<h>[^\n:;.]{3,120}?)[ \t]*$", re.MULTILINE)
#: Share of a bare heading an agency name must cover (the rest: "các", commas).
BARE_HEADING_COVER = 0.8
_ROMAN_RE = re.compile(r"^[ \t]*[IVXL]{1,5}\.[ \t]+", re.MULTILINE)
#: Cells of a table row (tabs or "|").
_CELL_SPLIT = re.compile(r"\t+|\s*\|\s*")
#: Columns of a task-assignment table, by the words of the header cell.
_LEAD_COL = re.compile(r"chủ trì", re.IGNORECASE)
_COOP_COL = re.compile(r"phối hợp", re.IGNORECASE)
_TASK_COL = re.compile(r"nhiệm vụ|nội dung|công việc", re.IGNORECASE)
_ITEM_RE = re.compile(r"^[ \t]*[a-zđ]\)[ \t]+", re.MULTILINE)
_QUARTER = re.compile(r"(?:trong|trước|hết|cuối)\s+quý\s+(?P<q>IV|III|II|I|[1-4])\s+(?:năm\s+)?(?P<y>\d{4})", re.IGNORECASE)
_DEADLINE_CUE = re.compile(r"(?:đến|trước|chậm nhất|hạn|hoàn thành trước|xong trước)\s+(?:ngày\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class AgencyRef:
    """An agency mention: a resolved IRI or a flagged collective/unresolved node."""

    iri: URIRef
    label: str
    flagged: bool = False
    party: bool = False  # a Party body (``Đảng uỷ Chính phủ``): its duties are no State responsibility


@dataclass
class Mention:
    start: int
    end: int
    agency: AgencyRef


@dataclass
class TaskFound:
    """One task: its text span and the (agency, role) pairs with deadline/recurrence."""

    span: Span
    roles: list[tuple[AgencyRef, str]] = field(default_factory=list)
    deadline: date | None = None
    recurrence: list[str] = field(default_factory=list)


@lru_cache(maxsize=1024)
def _party(label: str) -> AgencyRef:
    return AgencyRef(ID[f"agency/party/{slugify(label)[:80]}"], label.strip(), flagged=True, party=True)


@lru_cache(maxsize=4096)  # the same few phrases recur in every clause (the ref is immutable)
def _collective(text: str, kind: str) -> AgencyRef:
    phrase = re.sub(r"^Chủ tịch\s+", "", text.strip(), flags=re.IGNORECASE)
    phrase = re.sub(r"^UBND\b", "Ủy ban nhân dân", phrase)
    # "các bộ, ngành và địa phương": the groups of a list, without "và" between them or a final "khác"
    phrase = re.sub(r"\s+và\s+(?=(?:các\s+)?(?:bộ|ngành|địa phương|cơ quan|sở)\b)", ", ", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"\s+khác$", "", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"\bBộ trưởng\b", "bộ", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"\bThủ trưởng\s+", "", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"^(?:các|những|từng)\s+", "", phrase.strip(), flags=re.IGNORECASE)
    phrase = re.sub(r"\b(?:các|những|từng)\s+", "", phrase, flags=re.IGNORECASE)
    return AgencyRef(ID[f"agency/{kind}/{slugify(phrase)}"], text.strip(), flagged=True)


@lru_cache(maxsize=1024)
def _unresolved(name: str) -> AgencyRef:
    """A named body outside the reference data, keyed by its name as written (``UBND`` written out)."""
    phrase = re.sub(r"^UBND\b", "Ủy ban nhân dân", " ".join(name.split()))
    return AgencyRef(ID[f"agency/unresolved/{slugify(phrase)[:120]}"], name.strip(), flagged=True)


_U = r"(?:u[ỷy]|ủy)"  # "uỷ" and "ủy"
#: Bodies of the Party (the Communist Party of Viet Nam), not of the State: its organs by name, its
#: committees (``Đảng uỷ Chính phủ``, ``Tỉnh uỷ``, ``cấp uỷ``) and a list of them after ``các Đảng uỷ:``.
#: A State body named inside one (``Chính phủ`` in ``Đảng uỷ Chính phủ``) is not the subject.
_PARTY_RE = prefiltered(
    rf"(?P<list>(?:các\s+)?Đảng\s+{_U}\s*:)"
    rf"|(?P<committee>(?:Ban\s+Thường\s+vụ\s+)?(?:Đảng\s+{_U}|Đảng\s+đoàn)(?=\s+\S))"
    rf"|(?:Ban\s+Thường\s+vụ\s+)?(?-i:Tỉnh|Thành|Huyện|Quận|Thị|Quân)\s+{_U}(?![^\W\d_]|\s+(?:quyền|thác|nhiệm)\b)(?:\s+Trung\s+ương)?"
    rf"|Ban\s+Chấp\s+hành\s+Trung\s+ương(?:\s+Đảng)?|Bộ\s+Chính\s+trị|Ban\s+Bí\s+thư"
    rf"|Ban\s+(?:Tổ\s+chức|Tuyên\s+giáo(?:\s+và\s+Dân\s+vận)?|Dân\s+vận|Nội\s+chính|Kinh\s+tế|Đối\s+ngoại)\s+Trung\s+ương"
    rf"|{_U}\s+ban\s+Kiểm\s+tra\s+Trung\s+ương|Ủy\s+ban\s+Kiểm\s+tra\s+Trung\s+ương|Văn\s+phòng\s+Trung\s+ương\s+Đảng"
    rf"|(?<![^\W\d_])(?:các\s+)?cấp\s+{_U}(?![^\W\d_]|\s+quyền\b)|tổ\s+chức\s+đảng(?![^\W\d_])",
    re.IGNORECASE,
)
#: Where the name after ``Đảng uỷ`` ends: a stop, a bracket, ``và`` before a lower-case word.
_PARTY_NAME_END = re.compile(r"[,;:()\n.]|\s+và\s+(?=[a-zđ])|\s+(?:khẩn trương|chủ động|căn cứ|theo)\b")
#: Where a list after ``các Đảng uỷ:`` ends.
_PARTY_LIST_END = re.compile(r"[.()\n]|\s+và\s+các\s+cấp\b")


@lru_cache(maxsize=16)
def _party_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, label) of the Party bodies named in ``text`` (one scan per text, memoised)."""
    if "ảng" not in text and "ỷ" not in text and "ủy" not in text.lower() and "Bộ Chính trị" not in text:
        return ()
    out: list[tuple[int, int, str]] = []
    for m in _PARTY_RE.finditer(text):
        s, e = m.span()
        if out and s < out[-1][1]:
            continue  # inside the list or name of the body before
        if m.group("list"):
            stop = _PARTY_LIST_END.search(text, e, e + 400)
            e = stop.start() if stop else min(len(text), e + 400)
        elif m.group("committee"):
            limit = min(len(text), e + 100)
            stop = _PARTY_NAME_END.search(text, e, limit)
            verb = _VERB_RE.search(text, e, stop.start() if stop else limit)
            e = verb.start() if verb else (stop.start() if stop else limit)
            while e > m.end() and text[e - 1].isspace():
                e -= 1
        out.append((s, e, text[s:e]))
    return tuple(out)


@lru_cache(maxsize=16)
def _party_ends(text: str) -> list[int]:
    return [e for _s, e, _label in _party_spans(text)]


def _mentions(text: str, start: int, end: int, ctx: ExtractionContext) -> list[Mention]:
    """Agency mentions in ``text[start:end]``: resolver hits, collectives, acting provinces; Party
    bodies are mentions too (subjects that take their verbs), flagged ``party``."""
    chunk = text[start:end]
    found: list[Mention] = []
    party = _party_spans(text)
    if party:
        k = bisect_right(_party_ends(text), start)  # the first span ending after ``start``
        while k < len(party) and party[k][0] < end:
            s, e, label = party[k]
            found.append(Mention(max(s, start), min(e, end), _party(label)))
            k += 1
    # every collective holds a hint word (as in _may_mention): without one the scan finds nothing
    collectives = _COLLECTIVE_RE.finditer(chunk) if hint_in(_COLLECTIVE_HINT_RE, text, start, end) else ()
    for m in collectives:
        s, e = start + m.start(), start + m.end()
        if any(x.start < e and s < x.end for x in found):
            continue  # inside a Party body ("Đảng uỷ Bộ Tư pháp và các cơ quan …" stops before "và")
        kind = COLLECTIVES[alternative(m)][1]  # the phrase's own group closes last
        ref = _collective(m.group(), kind)
        if kind == "collective" and re.match(r"(?:các\s+)?địa phương$", m.group().strip(), re.IGNORECASE):
            ref = _extend_locality(text, s, e, ctx) or ref
        found.append(Mention(s, e, ref))
    for m in _MINISTRY_LIST.finditer(chunk):
        for s, e, ref in _ministry_list(text, start + m.end(), end, ctx):
            found.append(Mention(s, e, ref))
    if ctx.resolver is not None:
        province = ctx.scope_unit if province_code(ctx) else None
        try:
            hits = ctx.resolver.agencies_within(text, start, end, as_of=ctx.as_of, province=province)
        except Exception:  # noqa: BLE001 - a resolver failure must not stop extraction
            hits = []
        for s, e, m in hits:
            if any(x.start < e and s < x.end for x in found):
                continue  # inside a collective ("… cơ quan thuộc Chính phủ")
            if _IN_DOCUMENT_CODE.search(text, max(0, s - 30), s):
                continue  # the issuer's code of a document's number ("Thông tư 56/2024/TT-BGTVT"): no one acts
            found.append(Mention(s, e, AgencyRef(m.iri, m.label)))
    # a kind of department named without its province ("Sở Nội vụ tổ chức thẩm định …" in a national
    # decree: each province's department) that the resolver could not place is that kind's collective
    if "Sở" in chunk:
        for m in _department_re().finditer(chunk):
            s, e = start + m.start(), start + m.end()
            if any(x.start < e and s < x.end for x in found) or _PROVINCE_AFTER.match(text, e):
                continue
            found.append(Mention(s, e, _collective(m.group(), "collective")))
    # a named body the reference data does not hold ("Ban Quản lý dự án …", "UBND quận X", "Sở X" of a
    # city's own kind, "Hội đồng tuyển chọn"): an unresolved node named as written
    if hint_in(_OUTSIDE_HEAD, text, start, end):
        for s, e in _outside_bodies(text, start, end):
            if any(x.start < e and s < x.end for x in found):
                continue
            found.append(Mention(s, e, _unresolved(text[s:e])))
    # a province acting as subject ("tỉnh Lạng Sơn sẽ thực hiện …") stands for its People's Committee
    if ctx.resolver is not None:
        try:
            units = ctx.resolver.units_within(text, start, end, as_of=ctx.as_of)
        except Exception:  # noqa: BLE001
            units = []
        for s, e, u in units:
            if u.level != "province" or any(x.start <= s < x.end for x in found):
                continue
            if _CONNECTIVES.fullmatch(text[start:s]) is None:
                continue
            try:
                agency = ctx.resolver.agency(f"Ủy ban nhân dân {text[s:e]}", as_of=ctx.as_of)
            except Exception:  # noqa: BLE001
                agency = None
            if agency is not None:
                found.append(Mention(s, e, AgencyRef(agency.iri, agency.label)))
    return sorted(found, key=lambda m: m.start)


_UP = f"[{VI_UPPER}]"
#: The opening of a named body outside the reference data: a project management board, the committee
#: of a district or ward named with its place, a department named by its own words, a council named by
#: its task (not the appraisal council, which :data:`_NOMINAL_BEFORE` reads as a name, nor the HĐND).
_OUTSIDE_HEAD = prefiltered(
    r"(?<![^\W\d_])(?:(?P<board>Ban\s+[Qq]uản\s+lý\s+(?:các\s+)?dự\s+án)"
    rf"|(?P<unit>(?:Ủy ban nhân dân|UBND)\s+(?:quận|huyện|thị xã|thị trấn|phường|xã))(?=\s+{_UP})"
    rf"|(?P<dept>Sở)(?=\s+{_UP})"
    r"|(?P<council>Hội\s+đồng)(?=\s+(?!thẩm định|nhân dân|quản trị)[a-zđ]))"
)
#: One word of a body's name (no stop, bracket or quote inside).
_NAME_WORD = re.compile(r"\s+(?P<w>[^\s,;:.()\[\]\"“”]+)")
#: Words a name never runs into: the duty that follows it, or another body after "và".
_NAME_STOP = re.compile(
    r"(?:có|chịu)\s+trách\s+nhiệm|có\s+nhiệm\s+vụ|phải|cần|khẩn\s+trương|chủ\s+động|sẽ|đã|đang|vừa|là|được|theo|tại"
    r"|với|về|để|trong|trên|thuộc|của|làm|nhận|gồm|và\s+(?:các\s+)?(?:Ban|Sở|Ủy ban|UBND|Hội đồng|Bộ|Chủ|Cục|Trung tâm|cơ quan|đơn vị|địa phương)\b",
    re.IGNORECASE,
)
#: Most words of a body's name after its opening.
NAME_WORDS = {"board": 14, "dept": 8, "council": 4}


def _outside_bodies(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the named bodies of :data:`_OUTSIDE_HEAD` in ``text[start:end]``: a board's name runs
    to the duty that follows (a role verb, ``có trách nhiệm``, a stop, another body after ``và``;
    ``đầu tư xây dựng`` is part of it), and so do a department's (``Sở Quy hoạch - Kiến trúc``) and a
    council's (its lower-case words); a unit's committee runs to the last capitalised word of the
    place (``và``, ``-`` between two)."""
    out: list[tuple[int, int]] = []
    for m in _OUTSIDE_HEAD.finditer(text, start, end):
        kind = m.lastgroup
        pos = name_end = m.end()
        for _ in range(NAME_WORDS.get(kind, 6)):
            w = _NAME_WORD.match(text, pos, end)
            if w is None:
                break
            word, ws = w.group("w"), w.start("w")
            if _NAME_STOP.match(text, ws, end):
                break
            verb = _VERB_RE.match(text, ws, end)
            if verb is not None and not (word.lower() == "xây" and text[max(start, ws - 7) : ws].lower().strip() == "đầu tư"):
                break
            upper = word[0].isupper() or word[0].isdigit()
            if kind == "unit":  # a place's name: capitalised words
                if not upper and not (word in ("và", "-", "–") and (n := _NAME_WORD.match(text, w.end(), end))
                                      and n.group("w")[0].isupper()):
                    break
            elif kind == "council" and upper:
                break
            pos = w.end()
            if word not in ("và", "-", "–"):
                name_end = pos
        if name_end > m.end():
            out.append((m.start(), name_end))
    return out


#: The part of a document's number or a standard's code before an issuer's abbreviation
#: ("56/2024/TT-", "QCVN 45:2024/").
_IN_DOCUMENT_CODE = re.compile(r"\d[\w:./-]*[/-]$")
#: A unit named right after a department's name ("Sở Nội vụ tỉnh X"): the resolver's to place, not a collective.
_PROVINCE_AFTER = re.compile(r"\s+(?:tỉnh|thành phố|TP\.?|huyện|quận|xã|phường)\s", re.IGNORECASE)


@lru_cache(maxsize=1)
def _department_re() -> re.Pattern:
    """The kinds of provincial department of the reference data (``agencies.yaml``), by their names."""
    names = sorted((d["vi"] for d in agency_data()["departments"]), key=len, reverse=True)
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(n) for n in names) + r")(?![^\W\d_])")


#: "các Bộ: Xây dựng, Công Thương, Nông nghiệp và Môi trường", "Bộ trưởng các Bộ: …": ministries named after one "Bộ".
_MINISTRY_LIST = prefiltered(r"(?:Bộ trưởng\s+)?các\s+Bộ\s*:\s*", re.IGNORECASE)
_LIST_BREAK = re.compile(r",\s*|\s+và\s+|(?=[;.:\n(])|(?=\s)")


def _ministry_list(text: str, pos: int, end: int, ctx: ExtractionContext) -> list[tuple[int, int, AgencyRef]]:
    """The ministries of a list opened by "các Bộ:", each resolved as "Bộ <item>" (an item may hold "và")."""
    out: list[tuple[int, int, AgencyRef]] = []
    if ctx.resolver is None:
        return out
    while pos < end:
        breaks = [b for b in _LIST_BREAK.finditer(text, pos, min(end, pos + 80)) if b.start() > pos]
        best = None
        for b in breaks:  # the longest item that names a ministry ("Nông nghiệp và Môi trường")
            try:
                match = ctx.resolver.agency(f"Bộ {text[pos : b.start()]}", as_of=ctx.as_of)
            except Exception:  # noqa: BLE001 - a resolver failure must not stop extraction
                match = None
            if match is not None:
                best = (b, match)
        if best is None:
            break
        b, match = best
        out.append((pos, b.start(), AgencyRef(match.iri, match.label)))
        if not b.group():
            break  # the list ends at the item: a verb or a stop follows
        pos = b.end()
    return out


#: Words one of which every collective of :data:`COLLECTIVES` contains (``tests/test_tasks.py``
#: checks it): a text without them names no collective.
COLLECTIVE_HINTS = (
    "ngang bộ", "ngành", "huyện", "địa phương", "đơn vị tư vấn", "ban cán sự", "cơ quan", "ủy ban nhân dân", "ubnd",
    "cảng vụ",
)
_COLLECTIVE_HINT_RE = prefiltered("|".join(COLLECTIVE_HINTS), re.IGNORECASE)



def _may_mention(text: str, start: int, end: int, ctx: ExtractionContext) -> bool:
    """False only when :func:`_mentions` finds nothing in any part of ``text[start:end]``: no hint of
    a collective in it and no agency and no province in the resolver's whole-text scans."""
    if hint_in(_COLLECTIVE_HINT_RE, text, start, end) or _MINISTRY_LIST.search(text, start, end):
        return True
    if "Sở" in text[start:end] and _department_re().search(text, start, end):
        return True
    if hint_in(_OUTSIDE_HEAD, text, start, end):
        return True
    if ctx.resolver is None:
        return False
    province = ctx.scope_unit if province_code(ctx) else None
    try:
        if ctx.resolver.agencies_within(text, start, end, as_of=ctx.as_of, province=province):
            return True
    except Exception:  # noqa: BLE001 - as in _mentions: a resolver failure finds nothing
        pass
    try:
        units = ctx.resolver.units_within(text, start, end, as_of=ctx.as_of)
    except Exception:  # noqa: BLE001
        units = []
    return any(u.level == "province" for _s, _e, u in units)


_BEFORE_REGION = re.compile(r"\s+(?:trong\s+)?(?=vùng\b)")


def _extend_locality(text: str, s: int, e: int, ctx: ExtractionContext) -> AgencyRef | None:
    """``các địa phương vùng <region>``: the collective of the region's localities."""
    m = _BEFORE_REGION.match(text, e)
    if not m or ctx.resolver is None:
        return None
    try:
        units = ctx.resolver.find_units(text[e : e + 120], as_of=ctx.as_of)
    except Exception:  # noqa: BLE001
        return None
    for us, ue, u in units:
        if us <= m.end() - e + 1 and u.level == "region":
            return _collective(text[s : e + ue], "collective")
    return None


#: Before "xây dựng" used as a noun: a kind of plan ("quy hoạch xây dựng", "quy hoạch phân khu xây dựng",
#: "đồ án quy hoạch chi tiết xây dựng") or the sector ("công nghiệp và xây dựng", "công nghiệp - xây dựng").
_NOT_BUILDING_BEFORE = re.compile(
    r"(?:\bquy hoạch(?:\s+(?:chung|phân khu|chi tiết))?|\bcông nghiệp\s*(?:và|-|–|,))\s+$", re.IGNORECASE
)
#: A sentence that looks ahead without assigning ("Trong thời gian tới, Bộ X và các bộ, ngành tiếp tục …"):
#: a report of intentions, unless it holds a word that assigns or obliges.
_OUTLOOK_OPENING = re.compile(r"\W*(?:trong\s+)?(?:thời gian|năm|giai đoạn)\s+tới\b", re.IGNORECASE)
_OBLIGING = re.compile(r"\b(?:cần|phải|có trách nhiệm|chịu trách nhiệm|giao|yêu cầu|đề nghị|chỉ đạo)\b", re.IGNORECASE)


def _verbs(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    out = []
    for m in _VERB_RE.finditer(text, start, end):
        role = _VERB_PHRASES[alternative(m)][1]  # the verb's own group closes last
        before = text[max(start, m.start() - 30) : m.start()]
        if _NOMINAL_BEFORE.search(before) or re.search(r"quá trình\s+(?:\w+\s+){0,2}$", before, re.IGNORECASE):
            continue
        if _MEETING_AFTER.match(text, m.end()) or _OF_AFTER.match(text, m.end()):
            continue
        if m.group().lower() == "xây dựng" and _NOT_BUILDING_BEFORE.search(before):
            continue  # "quy hoạch (phân khu) xây dựng": a kind of plan; "công nghiệp và xây dựng": a sector
        if text[m.start() - 1 : m.start()] == "(" and text[m.end() : m.end() + 1] == ")":
            continue  # a name in brackets ("(Xây dựng)": a newspaper's credit)
        if role == "report" and re.match(r"\s+(?:chính trị|đánh giá tác động)", text[m.end() : m.end() + 20]):
            if re.search(r"\b(?:trong|nêu|tại)\s*$", before, re.IGNORECASE):
                continue
        out.append((m.start(), m.end(), role))
    return out


def _deadline(text: str, start: int, end: int, ctx: ExtractionContext) -> date | None:
    year = ctx.as_of.year if ctx.as_of else None
    for d in find_dates(text[start:end], default_year=year):
        if _DEADLINE_CUE.search(text[max(start, start + d.start - 25) : start + d.start]):
            return d.value
    q = _QUARTER.search(text, start, end)
    if q:
        n = {"I": 1, "II": 2, "III": 3, "IV": 4}.get(q.group("q").upper(), None) or int(q.group("q"))
        month = 3 * n
        day = 31 if month in (3, 12) else 30
        return date(int(q.group("y")), month, day)
    return None


def _recurrence(text: str, start: int, end: int) -> list[str]:
    chunk = text[start:end].lower()
    out = []
    if re.search(r"hằng năm|hàng năm|mỗi năm", chunk) and "định kỳ" in chunk:
        out.append("annual")
    if re.search(r"(?:định kỳ|và)\s+[^.;]{0,20}?\b0?5 năm\b|định kỳ\s+năm năm", chunk):
        out.append("five-yearly")
    if re.search(r"hằng quý|hàng quý", chunk):
        out.append("quarterly")
    if re.search(r"\b0?6 tháng\b", chunk) and "định kỳ" in chunk:
        out.append("half-yearly")
    if not out and re.search(r"định kỳ", chunk):
        out.append("periodic")
    return out


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in re.finditer(r";", text[start:end]):
        out.append((pos, start + m.start()))
        pos = start + m.end()
    out.append((pos, end))
    return out


#: Between two subjects of one verb ("Bộ Quốc phòng, Bộ Công an cập nhật …", "A và các B hướng dẫn …").
_COORDINATION = re.compile(r"\s*(?:,|,?\s+và)\s*(?:các\s+)?", re.IGNORECASE)


def _coordinated(text: str, subjects: list[tuple[int, int, AgencyRef]], k: int) -> tuple[AgencyRef, ...]:
    """The subject ``k`` with the subjects coordinated right before it, in text order."""
    group = [subjects[k][2]]
    while k > 0 and _COORDINATION.fullmatch(text, subjects[k - 1][1], subjects[k][0]):
        k -= 1
        group.insert(0, subjects[k][2])
    return tuple(group)


def _directed_acts(text: str, verbs: list[tuple[int, int, str]], subjects: list[tuple[int, int, AgencyRef]],
                   end: int) -> list[tuple[int, int]]:
    """Spans of the acts of bodies an explicit subject directs: "X chỉ đạo cơ quan chuyên môn lập hồ sơ,
    …" runs from the verb to the end of the phrase of the first verb after the directed body; X leads,
    the act is not X's. "chỉ đạo thực hiện …" (a verb right after) directs the act itself, and an item
    that opens with "Chỉ đạo …" under an agency's heading is that agency's task, acts included."""
    out = []
    for k, (vs, ve, _r) in enumerate(verbs):
        if text[vs:ve].lower() != "chỉ đạo" or k + 1 == len(verbs) or not any(p < vs for p, _e, _a in subjects):
            continue
        act = verbs[k + 1][0]
        if not text[ve:act].strip():
            continue
        stop = _PHRASE_END.search(text, act, end)
        out.append((ve, stop.start() if stop else end))
    return out


_PHRASE_END = re.compile(r"[,;.]")


def _in_quotes(text: str, start: int, pos: int) -> bool:
    """True inside typographic quotes opened in ``text[start:pos]``: the words of a quoted content
    ("… được điều chỉnh thành: “Hoàn thành xây dựng, đưa vào hoạt động Quý IV/2027”") are no act."""
    return text.count("“", start, pos) > text.count("”", start, pos)


def analyse(text: str, start: int, end: int, ctx: ExtractionContext,
            default: AgencyRef | tuple[AgencyRef, ...] | None
            ) -> tuple[list[tuple[AgencyRef, str]], tuple[AgencyRef, ...] | None]:
    """Roles in ``text[start:end]``; returns the (agency, role) pairs and the explicit subjects, if any.

    Subjects coordinated by commas or ``và`` ("Bộ Quốc phòng, Bộ Công an cập nhật …") share the verbs.
    """
    if isinstance(default, AgencyRef):
        default = (default,)
    roles: list[tuple[AgencyRef, str]] = []
    explicit: tuple[AgencyRef, ...] | None = None
    for cs, ce in _clauses(text, start, end):
        earlier = explicit  # the subjects of the sentence's previous clauses, if any
        clause_roles: list[tuple[AgencyRef, str]] = []
        mentions = _mentions(text, cs, ce, ctx)
        verbs = [
            v for v in _verbs(text, cs, ce)
            if not any(mt.start <= v[0] < mt.end for mt in mentions) and not _in_quotes(text, cs, v[0])
        ]
        purposes = [m.start() for m in _PURPOSE.finditer(text, cs, ce)]
        first_purpose = purposes[0] if purposes else None
        submitted_to: dict[int, AgencyRef] = {}  # purpose clauses of the body submitted to, by their start
        subjects: list[tuple[int, int, AgencyRef]] = []
        recipients: list[tuple[int, AgencyRef]] = []
        directed: list[int] = []  # ends of bodies guided or checked ("hướng dẫn các địa phương")
        objects: list[int] = []  # ends of mentions read as objects
        for mt in mentions:
            before = text[max(cs, mt.start - 100) : mt.start]
            if _COOP_BEFORE.search(before):
                clause_roles.append((mt.agency, "cooperate"))
                continue
            after = text[mt.end : mt.end + 60]
            if _ASSIGNER_AFTER.match(after):
                continue  # the assigner ("X giao Y …", "X Nguyễn Văn A yêu cầu Y …") or the signer ("… vừa ký")
            if text[mt.start - 1 : mt.start] == "(" and text[mt.end : mt.end + 1] == ")":
                continue  # a source credit or an abbreviation in brackets
            if _PAST_AFTER.match(text, mt.end):
                continue
            if _DIRECT_OPENING.fullmatch(text, cs, mt.start):
                if mt.agency.party:  # "chỉ đạo của Bộ Chính trị, Ban Bí thư": whose directions, not a body directed
                    objects.append(mt.end)
                    continue
                directed.append(mt.end)
                objects.append(mt.end)
                continue
            if _GIVE_BEFORE.search(before):
                subjects.append((mt.start, mt.end, mt.agency))
                continue
            if re.search(r"\bgửi\s*$", before, re.IGNORECASE):
                if any(vs >= mt.end and not text[mt.end : vs].strip() for vs, _ve, _r in verbs):
                    # "gửi Sở Nội vụ kiểm tra, hoàn thiện hồ sơ": the recipient acts on what it receives
                    subjects.append((mt.start, mt.end, mt.agency))
                else:
                    recipients.append((mt.start, mt.agency))
                continue
            if _DIRECTING_BEFORE.search(before) or (
                re.search(r"\bcho\s*$", before, re.IGNORECASE) and any(_ADVERBS.fullmatch(text, mt.end, vs) for vs, _ve, _r in verbs)
            ):
                # "hướng dẫn các địa phương thực hiện", "làm cơ sở cho các địa phương công bố": their own acts
                directed.append(mt.end)
                objects.append(mt.end)
                continue
            if _SOURCE_OPENING.fullmatch(text, start, mt.start):
                objects.append(mt.end)  # "Theo báo cáo của Cục Thống kê - Bộ Tài chính, …": a source
                continue
            if _INTENT_AFTER.match(text, mt.end):
                continue  # "Bộ Xây dựng sẽ tiếp tục hoàn thiện …": a report of what a body means to do
            if _SUBMIT_BEFORE.search(before) and (pm := _PURPOSE_AFTER.match(text, mt.end)):
                # "trình Bộ X để thẩm định": the body submitted to acts in the purpose clause
                submitted_to[pm.end() - len(pm.group().lstrip())] = mt.agency
            if (_OBJECT_BEFORE.search(before) or any(_COORDINATION.fullmatch(text, o, mt.start) for o in objects)) and not (
                subjects and _COORDINATION.fullmatch(text, subjects[-1][1], mt.start)
            ):
                objects.append(mt.end)  # "báo cáo Bộ X, Bộ Y": Bộ Y is an object too
                continue
            subjects.append((mt.start, mt.end, mt.agency))
        if subjects and explicit is None:
            first = 0
            while first + 1 < len(subjects) and _COORDINATION.fullmatch(text, subjects[first][1], subjects[first + 1][0]):
                first += 1
            explicit = _coordinated(text, subjects, first)
        has_lead: set[URIRef] = set()
        attributed: list[tuple[AgencyRef, str]] = []
        directing = _directed_acts(text, verbs, subjects, ce)
        skipped = -1  # end of the last act skipped as a directed body's (the acts coordinated with it are too)
        for vs, ve, role in verbs:
            if any(d <= vs and _ADVERBS.fullmatch(text, d, vs) for d in directed) or (
                skipped >= 0 and _COORDINATION.fullmatch(text, skipped, vs)
            ):
                skipped = ve
                continue  # the directed body's own act: "hướng dẫn các địa phương thực hiện (và báo cáo)"
            if any(d <= vs < e and not any(d <= p < vs for p, _e, _a in subjects) for d, e in directing):
                continue  # "X chỉ đạo cơ quan chuyên môn lập hồ sơ": the directed body's act; X leads
            agents: tuple[AgencyRef, ...] | None
            nearest = max((p for p in purposes if p < vs), default=None)
            purpose = first_purpose if first_purpose is not None and first_purpose < vs else None
            if nearest in submitted_to and not any(nearest < p < vs for p, _e, _a in subjects):
                agents = (submitted_to[nearest],)  # "trình Bộ X để thẩm định": Bộ X appraises
            elif purpose is not None:
                own = [k for k, (p, _e, _a) in enumerate(subjects) if p > purpose and p < vs]
                sent = [a for p, a in recipients if p < purpose]
                if own:
                    agents = _coordinated(text, subjects, own[-1])
                elif sent:
                    agents = (sent[-1],)
                else:
                    continue
            else:
                prior = [k for k, (p, _e, _a) in enumerate(subjects) if p < vs and (first_purpose is None or p < first_purpose)]
                agents = _coordinated(text, subjects, prior[-1]) if prior else (earlier or default)
            if not agents:
                continue
            for agent in agents:
                if role == "lead":
                    has_lead.add(agent.iri)
                attributed.append((agent, role))
        for agent, role in attributed:
            if role == "cooperate" and agent.iri in has_lead:
                continue
            clause_roles.append((agent, role))
        owner = _coordinated(text, subjects, 0) if subjects else (earlier or default)
        if owner and all(a.party for a in owner):
            continue  # a duty given to a Party body (and its partners in it): no State responsibility
        roles += [(a, r) for a, r in clause_roles if not a.party]
    return roles, explicit


#: Words that carry a duty on ("Tiếp tục duy trì tập huấn, hướng dẫn …", "Khẩn trương rà soát, ban hành …"):
#: a sentence opening with them has no subject of its own.
_CONTINUING = re.compile(
    r"(?:tiếp tục|khẩn trương|chủ động|tích cực|thường xuyên|duy trì|đẩy mạnh|tăng cường)"
    r"(?:\s+(?:duy trì|đẩy mạnh|tăng cường|thực hiện))?\s+",
    re.IGNORECASE,
)
#: Words between a carrying word and the first role verb ("tập huấn, " before "hướng dẫn").
CONTINUING_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+[\s,]+")


def _starts_with_verb(text: str, start: int, end: int) -> bool:
    """True when the sentence opens with a role verb (after connectives), or with a word that
    carries a duty on followed, within :data:`CONTINUING_WORDS` words, by one."""
    head = _CONNECTIVES.match(text, start, end)
    pos = head.end() if head else start
    if _VERB_RE.match(text, pos, end) is not None:
        return True
    cont = _CONTINUING.match(text, pos, end)
    if cont is None:
        return False
    pos = cont.end()
    for _ in range(CONTINUING_WORDS + 1):
        if _VERB_RE.match(text, pos, end) is not None:
            return True
        word = _WORD.match(text, pos, end)
        if word is None:
            return False
        pos = word.end()
    return False


def _heading_sections(text: str, ctx: ExtractionContext, breaks: tuple[int, ...] = ()
                      ) -> list[tuple[tuple[AgencyRef, ...], int, int, int]]:
    """(agencies, heading start, body start, body end) of numbered agency headings; a section ends at
    the first of ``breaks`` (the starts of the page's own headings) after its heading, too."""
    out = []
    heads = list(_HEADING_RE.finditer(text))
    colon_starts = {h.start() for h in heads}
    bare = [h for h in _BARE_HEADING_RE.finditer(text) if h.start() not in colon_starts]
    heads = sorted(heads + bare, key=lambda h: h.start())
    for i, h in enumerate(heads):
        ms = _mentions(text, h.start("h"), h.end("h"), ctx)
        if not ms and h.start() in colon_starts and (holder := _DUTY_HOLDER.fullmatch(text, h.start("h"), h.end("h"))):
            # a body the reference data does not hold, named as the holder of the duties below
            ms = [Mention(holder.start("body"), holder.end("body"), _collective(holder["body"], "unresolved"))]
        if not ms:
            continue
        covered = sum(m.end - m.start for m in ms)
        if h.start() not in colon_starts:
            # no colon: only a line that is nothing but the agency's name, with no verb of its own
            verbs = [v for v in _verbs(text, h.start("h"), h.end("h")) if not any(m.start <= v[0] < m.end for m in ms)]
            if covered < BARE_HEADING_COVER * len(h.group("h").strip()) or verbs:
                continue
        elif covered < 0.5 * len(h.group("h").strip()) and not ms[0].start - h.start("h") < 16:
            continue
        body_end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        roman = _ROMAN_RE.search(text, h.end(), body_end)
        if roman:
            body_end = roman.start()
        k = bisect_right(breaks, h.end())
        if k < len(breaks) and breaks[k] < body_end:
            body_end = breaks[k]  # a new section of the page ("## Chính sách …") ends the duties
        # the next number of the same list ends the section, heading or not ("2. Bộ X cập nhật …")
        num = h.groupdict().get("num")
        nxt = int(num or h.group("pnum")) + 1
        mark = rf"{nxt}\." if num else rf"\({nxt}\)"
        following = re.compile(rf"^[ \t]*{mark}[ \t]", re.MULTILINE).search(text, h.end(), body_end)
        if following:
            body_end = following.start()
        group = [ms[0].agency]
        for prev, nxt in zip(ms, ms[1:], strict=False):
            if not _COORDINATION.fullmatch(text, prev.end, nxt.start):
                break
            group.append(nxt.agency)
        out.append((tuple(group), h.start(), h.end(), body_end))
    return out


#: An article whose heading names whose duties it lists ("Điều 5. Trách nhiệm của Bộ Xây dựng").
_DUTY_ARTICLE = re.compile(r"(?:Trách nhiệm|Nhiệm vụ(?:,\s*|\s+và\s+)?(?:quyền hạn)?)\s+(?:của\s+)?", re.IGNORECASE)
#: The number or letter of a clause or point that opens a sentence ("1. Chủ trì …", "a) Kiểm tra …").
_ITEM_MARK = re.compile(r"[ \t]*(?:\d{1,2}\.|[a-zđ]\))[ \t]+")


def duty_articles(structure, text: str, ctx: ExtractionContext) -> list[tuple[int, int, tuple[AgencyRef, ...]]]:
    """(body start, end, agencies) of the articles whose heading is "Trách nhiệm (của) <agencies>"."""
    out = []
    for article in getattr(structure, "articles", None) or []:
        heading = article.heading
        if heading is None:
            continue
        lead = _DUTY_ARTICLE.match(text, heading.span.start, heading.span.end)
        if lead is None:
            continue
        ms = _mentions(text, lead.end(), heading.span.end, ctx)
        if not ms or ms[0].start != lead.end():
            continue
        group = [ms[0].agency]
        for prev, nxt in zip(ms, ms[1:], strict=False):
            if not _COORDINATION.fullmatch(text, prev.end, nxt.start):
                break
            group.append(nxt.agency)
        out.append((heading.span.end, article.span.end, tuple(group)))
    return out


def find_tasks(text: str, ctx: ExtractionContext,
               articles: list[tuple[int, int, tuple[AgencyRef, ...]]] | None = None,
               breaks: tuple[int, ...] = ()) -> list[TaskFound]:
    """All tasks of ``text``: heading sections first, then prose outside them.

    ``articles`` (from :func:`duty_articles`) give the subject of the subjectless clauses of a
    duty article ("Điều 5. Trách nhiệm của Bộ Xây dựng" / "1. Chủ trì …"); ``breaks`` are the starts
    of the page's headings (sorted), where a numbered agency heading's section ends at the latest.
    """
    tasks: list[TaskFound] = []
    sections = _heading_sections(text, ctx, breaks)
    for agencies, _hs, bs, be in sections:
        items = [m.start() for m in _ITEM_RE.finditer(text, bs, be)]
        if items:
            bounds = [(s, (items[k + 1] if k + 1 < len(items) else be)) for k, s in enumerate(items)]
        else:
            bounds = [(s, e) for s, e in sentences(text[bs:be])]
            bounds = [(bs + s, bs + e) for s, e in bounds]
            bounds = [(bounds[0][0], bounds[-1][1])] if bounds else []
        for s, e in bounds:
            while e > s and text[e - 1].isspace():
                e -= 1
            roles, _ = analyse(text, s, e, ctx, agencies)
            t = TaskFound(Span(s, e), [(agency, "lead") for agency in agencies if not agency.party] + roles)
            t.deadline = _deadline(text, s, e, ctx)
            t.recurrence = _recurrence(text, s, e)
            tasks.append(t)
    table_rows = _table_tasks(text, ctx, tasks)
    in_section = [(bs, be) for _, _, bs, be in sections] + [(hs, bs) for _, hs, bs, _ in sections] + table_rows
    carry: tuple[AgencyRef, ...] | None = None
    carry_para = -10
    consulting: str | None = None  # inside the list of bodies a duty consults: the lead's own list mark
    paragraphs = [paragraph_bounds(text, 0)]
    in_a_section = position_test(in_section)
    for ss, se in sentences(text):
        if in_a_section(ss):
            carry = None
            continue
        pstart, _ = paragraph_bounds(text, ss)
        if paragraphs[-1][0] != pstart:
            paragraphs.append((pstart, 0))
        para = len(paragraphs) - 1
        if _ROMAN_RE.match(text, ss) or _HEADING_RE.match(text, ss):
            carry = None
        default = carry if (carry is not None and para - carry_para <= 1 and _starts_with_verb(text, ss, se)) else None
        if default is None and articles:
            owner = next((a for s0, e0, a in articles if s0 <= ss < e0), None)
            mark = _ITEM_MARK.match(text, ss, se)
            if owner is not None and _starts_with_verb(text, mark.end() if mark else ss, se):
                default = owner
        if default is None and not _may_mention(text, ss, se, ctx):
            continue  # no agency, collective or province named: no one to hold a task (analyse finds none)
        item = _LIST_ITEM.match(text, ss, se) if consulting is not None else None
        if item and item.group().strip() != consulting and (consulted := _leading_group(text, ss, se, ctx)):
            # "+ Bộ Xây dựng đối với …" under "… lấy ý kiến … của các cơ quan sau đây:": the body consulted
            tasks.append(TaskFound(Span(ss, se), [(a, "cooperate") for a in consulted]))
            continue
        consulting = None
        field = _FIELD_DUTY.match(text, ss, se)
        if field is not None:
            # "- Cơ quan thẩm định: Sở Xây dựng tỉnh X.": the bodies of a field line take its label's role
            role = _FIELD_ROLES[field.group("label").lower().split()[0]]
            named = [(m.agency, role) for m in _mentions(text, field.end(), se, ctx) if not m.agency.party]
            if named:
                tasks.append(TaskFound(Span(ss, se), named))
            carry = None
            continue
        roles, explicit = analyse(text, ss, se, ctx, default)
        if (explicit or default) and _CONSULT_LEAD.search(text, ss, se):
            lead_mark = _LIST_ITEM.match(text, ss, se)  # the items below are of another list than the lead's
            consulting = lead_mark.group().strip() if lead_mark else ""
        if text[ss:se].rstrip().endswith("?"):
            roles = []  # a question (a Q&A page's heading) asks, it assigns nothing
        if _OUTLOOK_OPENING.match(text, ss, se) and not _OBLIGING.search(text, ss, se):
            roles = []  # "Trong thời gian tới, Bộ X tiếp tục …": what bodies mean to do, as news reports it
        if explicit is None and default is None:
            roles = []  # no one to hold the task: objects of "phối hợp với" alone are not tasks
        if not roles:
            continue
        t = TaskFound(Span(ss, se), roles)
        t.deadline = _deadline(text, ss, se, ctx)
        t.recurrence = _recurrence(text, ss, se)
        tasks.append(t)
        carry = explicit or default
        carry_para = para
    return tasks


#: A field line of a planning task's bodies ("Cơ quan thẩm định: …", "Cơ quan tổ chức lập quy hoạch: …",
#: "Cơ quan chủ trì: …"); "Cơ quan phê duyệt" approves (no duty) and "Đơn vị tư vấn" is a firm.
_FIELD_DUTY = re.compile(
    r"[ \t]*(?:[+\-•][ \t]+|[a-zđ\d]\)[ \t]+)?(?:Cơ quan|Đơn vị)\s+(?P<label>thẩm định|tổ chức lập|chủ trì|phối hợp|trình)"
    r"[^:\n]{0,40}:\s*",
    re.IGNORECASE,
)
_FIELD_ROLES = {"thẩm": "appraise", "tổ": "implement", "chủ": "lead", "phối": "cooperate", "trình": "submit"}
#: A duty to consult bodies listed below: "… có trách nhiệm lấy ý kiến bằng văn bản … của các cơ quan sau đây:".
_CONSULT_LEAD = re.compile(r"\blấy ý kiến\b[^.;]{0,300}(?:sau đây|như sau)\s*:\s*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"[ \t]*[+\-•][ \t]+")


def _leading_group(text: str, start: int, end: int, ctx: ExtractionContext) -> list[AgencyRef]:
    """The bodies a list item opens with ("+ Bộ Kế hoạch và Đầu tư và Bộ Xây dựng đối với …")."""
    item = _LIST_ITEM.match(text, start, end)
    pos = item.end() if item else start
    out: list[AgencyRef] = []
    for m in _mentions(text, pos, end, ctx):
        if m.start != pos and not _COORDINATION.fullmatch(text, pos, m.start):
            break
        if not m.agency.party:
            out.append(m.agency)
        pos = m.end
    return out


def _table_tasks(text: str, ctx: ExtractionContext, tasks: list[TaskFound]) -> list[tuple[int, int]]:
    """Tasks of assignment tables: a header row with a "chủ trì" column (and a "phối hợp" column).

    Each following row with as many cells is a task: the agencies of the lead column lead it (and
    take the roles of the task's verbs: "Công bố …" publish), those of the cooperate column
    cooperate. Returns the spans of the rows read, so prose reading skips them.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    lines = []
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    header: list[str] | None = None
    cols: dict[str, int] = {}
    for s, e in lines:
        if text.find("\t", s, e) < 0 and text.find("|", s, e) < 0:
            header = None  # one cell: neither a header row nor a row of the table above
            continue
        cells = _CELL_SPLIT.split(text[s:e].strip())
        if len(cells) >= 3 and any(_LEAD_COL.search(c) for c in cells) and len(cells[0]) < 80:
            header = cells
            cols = {"lead": next(i for i, c in enumerate(cells) if _LEAD_COL.search(c))}
            coop = [i for i, c in enumerate(cells) if _COOP_COL.search(c) and i != cols["lead"]]
            task = [i for i, c in enumerate(cells) if _TASK_COL.search(c)]
            if coop:
                cols["coop"] = coop[0]
            if task:
                cols["task"] = task[0]
            continue
        if header is None:
            continue
        if len(cells) != len(header):
            header = None
            continue
        offsets, at = [], s
        for c in cells:
            at = text.find(c, at, e + 1)
            offsets.append((at, at + len(c)))
            at += len(c)
        ls, le = offsets[cols["lead"]]
        leads = [m.agency for m in _mentions(text, ls, le, ctx)]
        if not leads:
            continue
        t = TaskFound(Span(s, e))
        for agency in leads:
            t.roles.append((agency, "lead"))
            if "task" in cols:
                ts, te = offsets[cols["task"]]
                t.roles += [(agency, role) for _, _, role in _verbs(text, ts, te) if role not in {"lead", "cooperate"}]
        if "coop" in cols:
            cs, ce = offsets[cols["coop"]]
            t.roles += [(m.agency, "cooperate") for m in _mentions(text, cs, ce, ctx)]
        tasks.append(t)
        spans.append((s, e + 1))
    return spans


def _role(slug: str) -> URIRef:
    return ID[f"role/{slug}"]


#: An item that opens with a legal document's number: a list of documents (repealed, cited), not a duty.
_DOCUMENT_ITEM = re.compile(
    r"\W*(?:[a-zđ]\)|\d+\.)?\s*(?:Thông tư(?: liên tịch)?|Nghị định|Quyết định|Nghị quyết|Luật|Chỉ thị)\s+(?:số\s+)?\d"
)


def _assigning_part(structure, span: Span) -> bool:
    """Whether ``span`` lies where a document can assign a task: not in its legal bases (titles of
    the documents it rests on: "Thông tư … hướng dẫn thi hành …"), recipients, signature or header,
    and not in page furniture (captions, related headlines)."""
    pos = span.start
    parts = [b.span for b in structure.legal_bases] + [sig.span for sig in structure.signatures]
    if structure.recipients_span is not None:
        parts.append(structure.recipients_span)
    if structure.header is not None:
        parts.append(structure.header.span)
    if any(p.start <= pos < p.end for p in parts):
        return False
    return not structure.is_furniture(span)


def _provision(structure, pos: int) -> str | None:
    """``Điều 3, khoản 2, điểm a`` of the article, clause and point holding ``pos``."""
    article = structure.article_at(pos)
    if article is None:
        return None
    out = [f"Điều {article.number}"]
    clause = next((c for c in article.clauses if c.span.start <= pos < c.span.end), None)
    if clause is not None:
        out.append(f"khoản {clause.number}")
        point = next((p for p in clause.points if p.span.start <= pos < p.span.end), None)
        if point is not None:
            out.append(f"điểm {point.label}")
    return ", ".join(out)


def extract(doc: CleanDocument, emitter: Emitter, ctx: ExtractionContext) -> None:
    """Emit ``qh:Task`` and ``qh:Responsibility`` nodes for each task of the document."""
    text = doc.text
    g = emitter.triples
    assigned_by = ctx.main_document or doc.iri
    structure = doc.structure
    articles = duty_articles(structure, text, ctx) if structure is not None else None
    breaks = tuple(sorted(h.span.start for h in structure.headings)) if structure is not None else ()
    if ctx.as_of is None and (main := main_mention(doc, ctx)) is not None and main.date is not None:
        # an undated page reporting on a dated document: its bodies are those in office on that day
        # (a department of a province merged on 1 July 2025 is the merged province's)
        ctx = replace(ctx, as_of=main.date.value)
    for t in find_tasks(text, ctx, articles, breaks):
        if structure is not None and not _assigning_part(structure, t.span):
            continue
        if _DOCUMENT_ITEM.match(text, t.span.start):
            continue  # an item of a list of documents ("a) Thông tư số 57/2014/TT-BCT … của Bộ trưởng …")
        task = emitter.local_iri("task", str(t.span.start))
        emitter.entity(task, QH.Task, t.span)
        emitter.add(task, QH.taskText, Literal(text[t.span.start : t.span.end].strip(), lang="vi"))
        emitter.add(task, QH.assignedBy, quoted_document(doc, ctx, t.span.start) or assigned_by)
        provision = _provision(structure, t.span.start) if structure is not None else None
        if provision:
            emitter.add(task, QH.provision, Literal(provision, lang="vi"), t.span)
        seen: set[tuple[URIRef, str]] = set()
        for agency, role in t.roles:
            if (agency.iri, role) in seen:
                continue
            seen.add((agency.iri, role))
            resp = emitter.local_iri("responsibility", f"{t.span.start}/{slugify(str(agency.iri).split('/id/')[-1])}/{role}")
            emitter.entity(resp, QH.Responsibility, t.span)
            emitter.add(resp, QH.task, task)
            emitter.add(resp, QH.agency, agency.iri, t.span)
            emitter.add(resp, QH.role, _role(role), t.span)
            g.add((_role(role), RDF.type, SKOS.Concept))
            if t.deadline:
                emitter.add(resp, QH.deadline, Literal(t.deadline, datatype=XSD.date), t.span)
            for rec in t.recurrence:
                if role in {"report", "lead"} or not any(r == "report" for _, r in t.roles):
                    emitter.add(resp, QH.recurrence, Literal(rec), t.span)
            if agency.flagged:
                g.add((agency.iri, RDF.type, QH.Agency))
                g.add((agency.iri, RDFS.label, Literal(agency.label, lang="vi")))
                g.add((agency.iri, QH.unresolved, Literal(True)))


# Patterns that scan a whole text (or every sentence), led by a look-ahead on the characters a
# match can start with: the same matches, found faster.
_PURPOSE = lead_by_first_chars(_PURPOSE)
