"""Synthetic news texts written for these tests (English and Arabic), and the edits syndication makes:
another headline, a trimmed last paragraph, added boilerplate, reworded sentences."""

from __future__ import annotations

STORIES: dict[str, list[str]] = {
    "en_grain": [
        (
            "Ministers from twelve Black Sea and Danube states agreed in Bucharest on Tuesday to open a "
            "joint inspection centre for grain barges, ending a dispute that had left 340 vessels waiting at "
            "Sulina."
        ),
        (
            "The centre will be run by Romanian and Moldovan customs officers and funded with 48 million "
            "euros from the European Investment Bank, according to the final communique released after the "
            "talks."
        ),
        (
            "Romanian transport minister Dana Vlaicu said inspections would take no longer than six hours "
            "per barge, against the nine days some shippers reported in August."
        ),
        (
            "Farmers' unions in Galati welcomed the deal but warned that storage capacity at the port of "
            "Constanta remained short by roughly two million tonnes ahead of the maize harvest."
        ),
        (
            "The agreement still needs approval by the Moldovan parliament, which is expected to vote before "
            "the end of October, officials in Chisinau said."
        ),
    ],
    "en_drones": [
        (
            "Finland will deliver 60 surveillance drones and a mobile radar unit to Estonia under a defence "
            "agreement signed in Tallinn on Friday by the two countries' defence ministers."
        ),
        (
            "Finnish defence minister Aaro Lindqvist said the first 20 drones would arrive within three "
            "weeks and the radar before the end of the year, with Finnish crews training Estonian operators "
            "at Tapa."
        ),
        (
            "Estonia's defence minister Kertu Saar called the package a response to repeated airspace "
            "violations over Lake Peipus and said Tallinn would share the radar picture with Latvia."
        ),
        (
            "The deal is worth 115 million euros and is part of a Nordic-Baltic plan to close gaps in "
            "low-level air surveillance along the eastern border, officials said."
        ),
        (
            "Opposition lawmakers in Helsinki questioned whether the drones would leave Finnish units short, "
            "a claim the ministry rejected in a statement on Saturday."
        ),
    ],
    "ar_water": [
        (
            "وقعت مصر والسودان في الخرطوم يوم الأحد اتفاقا لإنشاء لجنة فنية مشتركة لمراقبة منسوب مياه النيل "
            "عند سد مروي، بعد أشهر من الخلاف حول تبادل البيانات الهيدرولوجية."
        ),
        (
            "وقال وزير الري المصري كمال الشناوي إن اللجنة ستضم 14 خبيرا من البلدين وستصدر تقريرا أسبوعيا عن "
            "التدفقات، على أن تمول المرحلة الأولى بمنحة قدرها 22 مليون دولار من البنك الأفريقي للتنمية."
        ),
        (
            "من جهته أكد وزير الموارد المائية السوداني عثمان الطيب أن الاتفاق يتيح إنذارا مبكرا للفيضانات في "
            "ولايتي نهر النيل والشمالية، حيث تضررت أكثر من تسعة آلاف أسرة الموسم الماضي."
        ),
        (
            "ورحب مزارعون في دنقلا بالاتفاق، لكنهم طالبوا بتعويضات عن خسائر محاصيل القمح التي غمرتها المياه "
            "في أغسطس الماضي."
        ),
        "ومن المقرر أن تعقد اللجنة أول اجتماع لها في أسوان مطلع الشهر المقبل، وفق البيان الختامي.",
    ],
    "ar_port": [
        (
            "أعلنت الحكومة الأردنية يوم الثلاثاء تخصيص 75 مليون دينار لتوسيع ميناء العقبة الجنوبي، في خطوة "
            "تهدف إلى مضاعفة قدرة مناولة الحاويات خلال ثلاث سنوات."
        ),
        (
            "وقال وزير النقل الأردني سامر الخطيب في مؤتمر صحفي إن المشروع سيضيف رصيفين جديدين بطول 900 متر، "
            "وسيوفر نحو 1200 فرصة عمل لأبناء محافظة العقبة."
        ),
        (
            "وأوضح الخطيب أن شركة موانئ العقبة ستطرح عطاء التنفيذ الشهر المقبل، على أن يبدأ العمل في الربع "
            "الأول من العام القادم."
        ),
        (
            "ورأى خبراء في قطاع الشحن أن التوسعة ستخفف الازدحام الذي شهده الميناء بعد تحويل السفن مساراتها "
            "بعيدا عن البحر الأحمر."
        ),
        "وأشار البيان الحكومي إلى أن التمويل يأتي من موازنة التنمية وقرض ميسر من صندوق أبوظبي للتنمية.",
    ],
}

# The same events as STORIES, told by another outlet in its own words: same story, not a copy.
RETOLD: dict[str, list[str]] = {
    "en_grain": [
        (
            "A Bucharest meeting of twelve Black Sea and Danube governments ended on Tuesday with a deal on "
            "a joint inspection centre for grain barges, after 340 vessels were left stranded at Sulina."
        ),
        (
            "Dana Vlaicu, Romania's transport minister, promised barge checks of six hours at most, and the "
            "European Investment Bank will put 48 million euros into the centre."
        ),
        "Moldova's parliament must still ratify the deal in October.",
    ],
    "ar_water": [
        (
            "اتفقت القاهرة والخرطوم الأحد على تشكيل لجنة فنية مشتركة لمراقبة منسوب مياه النيل عند سد مروي "
            "وتبادل البيانات الهيدرولوجية بعد خلاف استمر أشهرا."
        ),
        (
            "وتضم اللجنة 14 خبيرا وتمولها منحة بقيمة 22 مليون دولار من البنك الأفريقي للتنمية، بحسب وزير "
            "الري المصري كمال الشناوي، فيما قال الوزير السوداني عثمان الطيب إنها ستوفر إنذارا مبكرا "
            "للفيضانات."
        ),
        "وستعقد اللجنة أول اجتماعاتها في أسوان الشهر المقبل.",
    ],
}

# Same countries and vocabulary as STORIES, a different event: must not join their story.
OTHER_EVENT: dict[str, list[str]] = {
    "en_grain": [
        (
            "Romanian farmers blocked the road to the port of Constanta on Monday in protest at falling "
            "wheat prices, the third such protest this year, police in Constanta said."
        ),
        (
            "The farmers' unions demanded compensation from the government and accused grain traders of "
            "keeping prices low; the agriculture ministry said it would meet union leaders next week."
        ),
        "Traffic to the port was diverted for several hours before the protest ended peacefully.",
    ],
    "ar_water": [
        (
            "أعلنت وزارة الري المصرية يوم الخميس بدء حملة لتطهير الترع في محافظات الدلتا قبل موسم زراعة "
            "الأرز، بتكلفة 300 مليون جنيه."
        ),
        (
            "وقال متحدث باسم الوزارة إن الحملة تشمل 1800 كيلومتر من المجاري المائية وتستمر حتى نهاية مايو، "
            "داعيا المزارعين إلى ترشيد استهلاك المياه."
        ),
        "وكانت الوزارة قد حذرت من تراجع منسوب المياه في بعض الترع خلال الصيف الماضي.",
    ],
}

BOILERPLATE = {
    "en": "Follow us on social media for the latest updates. All rights reserved.",
    "ar": "تابعونا على مواقع التواصل الاجتماعي لمعرفة آخر الأخبار. جميع الحقوق محفوظة.",
}


def language(story: str) -> str:
    return story.split("_")[0]


def text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def syndicated_copy(story: str) -> list[str]:
    """What a syndicating outlet publishes: the last paragraph trimmed and its own boilerplate added."""
    return [*STORIES[story][:-1], BOILERPLATE[language(story)]]


def reworded(paragraphs: list[str], changed: int) -> list[str]:
    """The text with `changed` of its words replaced (every k-th word, spread over the whole text), the
    growing edit the near-duplicate threshold is tested against."""
    words = text(paragraphs).split(" ")
    step = max(1, len(words) // changed) if changed else len(words) + 1
    edited = [
        f"x{i}" if changed and i % step == step // 2 and i // step < changed else word
        for i, word in enumerate(words)
    ]
    return " ".join(edited).split("\n\n")
