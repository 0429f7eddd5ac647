"""Builders for RawPages around hand-written Arabic and English article bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from newsmon.records import FeedItem, RawPage
from newsmon.settings.clean import CleanSettings

FETCHED = datetime(2025, 9, 5, 8, 0, tzinfo=UTC)

AR_BODY = """
<h1>ماكرون: 26 دولة تلتزم بنشر قوة طمأنة</h1>
<p>أعلن الرئيس الفرنسي إيمانويل ماكرون، الخميس، التزام 26 دولة بالمشاركة في قوة طمأنة بأوكرانيا بعد وقف \
إطلاق النار.</p>
<p>صورة: AFP</p>
<p>وقال ماكرون خلال مؤتمر صحافي في قصر الإليزيه إن القوة ستكون موجودة في الجو والبر والبحر، وإنها ليست \
هجومية.</p>
<p><strong>اقرأ أيضًا:</strong></p>
<p><a href="/news/1">خطة سلام أوروبية في أوكرانيا.. منطقة عازلة ضمن المقترحات</a></p>
<p><a href="/news/2">زيلينسكي يطلب مزيداً من الأسلحة من حلفائه</a></p>
<h2>العقوبات على روسيا</h2>
<p>وهدد الرئيس الفرنسي روسيا بفرض عقوبات جديدة بالتنسيق مع الولايات المتحدة في حال استمرت برفض محادثات \
السلام.</p>
<p>وكالة الأناضول - وكالات</p>
<p>شارك هذا المنشور:</p>
<p>المقالة السابقة</p>
<p><a href="/news/3">إنجاز علمي.. علاج ثوري جديد لمكافحة ارتفاع ضغط الدم</a></p>
<p>تابعنا</p>
"""
AR_KEPT = [
    (
        "أعلن الرئيس الفرنسي إيمانويل ماكرون، الخميس، التزام 26 دولة بالمشاركة في قوة طمأنة بأوكرانيا بعد "
        "وقف إطلاق النار."
    ),
    (
        "وقال ماكرون خلال مؤتمر صحافي في قصر الإليزيه إن القوة ستكون موجودة في الجو والبر والبحر، وإنها ليست "
        "هجومية."
    ),
    "العقوبات على روسيا",
    (
        "وهدد الرئيس الفرنسي روسيا بفرض عقوبات جديدة بالتنسيق مع الولايات المتحدة في حال استمرت برفض محادثات "
        "السلام."
    ),
]

EN_BODY = """
<h1>EU agrees 19th sanctions package against Russia</h1>
<p>BRUSSELS (Reuters) - The European Union on Thursday agreed a 19th package of sanctions against \
Russia, targeting
liquefied natural gas imports and banks in third countries, diplomats said.</p>
<p>Photo: Reuters</p>
<p>"This is the toughest package so far," Kaja Kallas told reporters. Mr. Smith of the U.S. Treasury \
welcomed it.</p>
<p>Read also:</p>
<p><a href="/world/1">Ukraine asks allies for more air defence</a></p>
<p>The ban on Russian LNG will take effect in January 2027, officials said.</p>
<p>Reporting by Jane Doe; Editing by John Roe</p>
<p>Share this article</p>
<p>Follow us on X</p>
"""
EN_KEPT = [
    "BRUSSELS (Reuters) - The European Union on Thursday agreed a 19th package of sanctions against Russia, "
    "targeting liquefied natural gas imports and banks in third countries, diplomats said.",
    (
        '"This is the toughest package so far," Kaja Kallas told reporters. Mr. Smith of the U.S. Treasury '
        "welcomed it."
    ),
    "The ban on Russian LNG will take effect in January 2027, officials said.",
]


def page_html(body: str, lang: str, title: str, head: str = "") -> str:
    nav = "".join(f'<li><a href="/s/{i}">section {i}</a></li>' for i in range(12))
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Site</title>'
        f'<meta property="og:site_name" content="The Site">{head}</head><body>'
        f"<header><nav><ul>{nav}</ul></nav></header><main><article>{body}</article>"
        f"<aside><h3>Most read</h3><ul>{nav}</ul></aside></main>"
        f"<footer><p>© 2025 The Site. All rights reserved.</p></footer></body></html>"
    )


@pytest.fixture
def settings() -> CleanSettings:
    return CleanSettings()


@pytest.fixture
def make_page() -> Callable[..., RawPage]:
    def make(
        html: str | None,
        url: str = "https://www.site.example/news/1",
        feed_only: bool = False,
        headers: dict[str, str] | None = None,
        **feed: object,
    ) -> RawPage:
        return RawPage(
            url=url,
            final_url=url,
            canonical_url=url,
            html=html,
            feed_only=feed_only,
            headers={"Content-Type": "text/html; charset=utf-8"} if headers is None else headers,
            fetched_at=FETCHED,
            feed=FeedItem(feed_url="https://site.example/rss", **feed),
        )

    return make
