from newsmon.streams.clean.boilerplate import Line, SiteBoilerplate, load_rules, site_of, strip_boilerplate

from newsmon.settings.clean import CleanSettings


def test_rule_files_load_and_fold_arabic_spelling() -> None:
    rules = load_rules()
    assert rules.block.fullmatch("اقرا ايضا")
    assert rules.line.fullmatch("الاكثر تداولا") is None and rules.block.fullmatch("الاكثر تداولا")
    assert rules.line.fullmatch("trt عربي - وكالات")


def test_plain_text_block_takes_headline_lines_until_body_text() -> None:
    lines = [
        Line("نص الخبر الأول ينتهي بنقطة."),
        Line("اقرأ أيضاً"),
        Line("عنوان مقال آخر عن الحرب"),
        Line("وأضاف المتحدث أن القرار نهائي."),
    ]
    kept, removed = strip_boilerplate(lines, CleanSettings(), link_markup=False)
    assert kept == ["نص الخبر الأول ينتهي بنقطة.", "وأضاف المتحدث أن القرار نهائي."]
    assert removed == ["اقرأ أيضاً", "عنوان مقال آخر عن الحرب"]


def test_html_block_takes_only_link_lines() -> None:
    lines = [Line("Read more"), Line("Other story", is_link=True), Line("Subheading")]
    kept, removed = strip_boilerplate(lines, CleanSettings())
    assert kept == ["Subheading"] and removed == ["Read more", "Other story"]


def test_long_lines_are_never_captions() -> None:
    long = "صورة: " + " ".join(["كلمة"] * 40)
    kept, _ = strip_boilerplate([Line(long)], CleanSettings())
    assert kept == [long]


def test_site_boilerplate_learns_lines_repeated_on_distinct_pages() -> None:
    learner = SiteBoilerplate(min_pages=3)
    for page in range(3):
        learner.observe("site.example", f"p{page}", ["نشرة الموقع اليومية", f"خبر رقم {page} فريد."])
    learner.observe("site.example", "p2", ["نشرة الموقع اليومية"])  # redelivery: not counted again
    assert learner.frequent("site.example") == frozenset({"نشره الموقع اليوميه"})
    assert learner.frequent("other.example") == frozenset()
    kept, removed = strip_boilerplate(
        [Line("نشرة الموقع اليومية."), Line("خبر جديد.")], CleanSettings(), learner.frequent("site.example")
    )
    assert kept == ["خبر جديد."] and removed == ["نشرة الموقع اليومية."]


def test_site_boilerplate_memory_is_bounded() -> None:
    learner = SiteBoilerplate(min_pages=2, max_sites=2, max_lines_per_site=10, max_pages_per_site=5)
    for page in range(50):
        learner.observe("a.example", f"p{page}", ["menu line", *(f"line {page} {i}" for i in range(5))])
    for site in ("b.example", "c.example"):
        learner.observe(site, "p", ["x"])
    state = learner._sites  # noqa: SLF001 - the bound is what is under test
    assert set(state) == {"b.example", "c.example"}
    learner.observe("a.example", "q", ["menu line"])
    assert len(learner._sites["a.example"].counts) <= 10  # noqa: SLF001


def test_site_of_strips_www() -> None:
    assert site_of("https://www.Example.com/a/b") == "example.com"
