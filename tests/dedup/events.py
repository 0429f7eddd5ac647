"""Synthetic news events written for the threshold tests and the labelled pair set (English and Arabic).

Each event is a wire article of eight sentences, each sentence paired with the way another outlet rewrote it
(same facts, names and numbers, other words), plus a few sentences about a *different event of the same
conflict or topic*. Rewriting a growing share of the sentences walks an article from a copy to a retelling of
the same story; the other-event sentences are the hard negatives for story clustering.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.dedup.corpus import BOILERPLATE


@dataclass(frozen=True)
class Event:
    lang: str
    headline: str
    other_headline: str  # what a copying outlet titles it
    sentences: tuple[tuple[str, str], ...]  # (as the wire wrote it, as another outlet rewrote it)
    other_event: tuple[str, ...]  # same conflict or topic, a different event


EVENTS: dict[str, Event] = {
    "en_prisoners": Event(
        lang="en",
        headline="Turkey brokers exchange of 84 prisoners in Istanbul",
        other_headline="Dozens of captives go home after Istanbul swap",
        sentences=(
            (
                (
                    "Eighty-four prisoners from each side were exchanged at Istanbul's Ataturk airport on "
                    "Thursday in a swap mediated by Turkish intelligence chief Orhan Demirtas."
                ),
                (
                    "Turkish intelligence chief Orhan Demirtas oversaw Thursday's handover at Ataturk "
                    "airport in Istanbul, where each side freed eighty-four captives."
                ),
            ),
            (
                (
                    "The released men included 19 soldiers captured during the siege of Velykyi Burluk and "
                    "two journalists held since March."
                ),
                (
                    "Among those freed were two reporters detained since March and 19 troops taken prisoner "
                    "at Velykyi Burluk."
                ),
            ),
            (
                (
                    "Families waited behind a police cordon for more than five hours before the first bus "
                    "arrived from the military section of the airport."
                ),
                (
                    "Relatives spent over five hours at the police barrier until the first coach came out of "
                    "the airport's military zone."
                ),
            ),
            (
                (
                    "Demirtas told reporters that a second round of 120 prisoners could follow within a "
                    "month if both delegations kept to the lists agreed in Istanbul."
                ),
                (
                    "A further 120 detainees may be swapped in the coming weeks, Demirtas said, provided the "
                    "two delegations respect the Istanbul lists."
                ),
            ),
            (
                (
                    "The International Committee of the Red Cross interviewed every prisoner before "
                    "departure to confirm that none was being returned against his will."
                ),
                (
                    "Red Cross staff spoke to each detainee before the flights to make sure nobody was sent "
                    "back against his wishes."
                ),
            ),
            (
                (
                    "It was the fourth exchange mediated by Ankara this year and the largest since the talks "
                    "moved from Geneva to Istanbul in June."
                ),
                (
                    "Ankara has now brokered four swaps this year; this one was the biggest since the "
                    "negotiations left Geneva for Istanbul in June."
                ),
            ),
            (
                (
                    "Human rights groups said at least 2,300 civilians remain in detention and urged the "
                    "mediators to add them to the next list."
                ),
                (
                    "Rights organisations urged the mediators to put the 2,300 or more detained civilians on "
                    "the next list."
                ),
            ),
            (
                (
                    "The freed soldiers were flown to a military hospital in Kharkiv for medical checks, the "
                    "defence ministry said on Thursday evening."
                ),
                (
                    "The defence ministry said on Thursday night that the soldiers were taken by air to a "
                    "Kharkiv military hospital to be examined."
                ),
            ),
        ),
        other_event=(
            (
                "Artillery fire hit a market in Kharkiv on Saturday, killing three people and wounding "
                "eleven, regional governor Ihor Tkachenko said."
            ),
            (
                "Firefighters worked through the night to put out a blaze in a warehouse near the market, "
                "and schools in the district were closed on Monday."
            ),
            "The defence ministry said air defences had intercepted two drones over the Kharkiv region.",
        ),
    ),
    "en_sanctions": Event(
        lang="en",
        headline="EU blacklists 42 tankers of the shadow fleet",
        other_headline="Brussels targets shadow fleet tankers in new sanctions",
        sentences=(
            (
                (
                    "European Union governments on Wednesday added 42 oil tankers to a list of vessels "
                    "barred from EU ports, targeting the so-called shadow fleet used to carry crude above "
                    "the price cap."
                ),
                (
                    "The shadow fleet moving crude above the price cap was hit on Wednesday when EU "
                    "governments barred 42 more tankers from European ports."
                ),
            ),
            (
                (
                    "The package also freezes the assets of Marlow Shipping, a Dubai-registered firm that "
                    "manages 17 of the listed ships through shell companies in the Marshall Islands."
                ),
                (
                    "Marlow Shipping, registered in Dubai and running 17 of the listed ships via Marshall "
                    "Islands shell companies, had its assets frozen too."
                ),
            ),
            (
                (
                    "EU foreign policy chief Helena Lindqvist said the measures closed loopholes that had "
                    "allowed about 1.4 million barrels a day to reach buyers in Asia."
                ),
                (
                    "According to EU foreign policy chief Helena Lindqvist, about 1.4 million barrels a day "
                    "had been slipping through loopholes to Asian buyers."
                ),
            ),
            (
                (
                    "Greece and Malta, whose shipowners operate a large share of the world's tankers, "
                    "secured a transition period of 60 days for existing contracts."
                ),
                (
                    "Existing contracts get 60 days to wind down, a concession won by Greece and Malta, home "
                    "to many of the world's tanker owners."
                ),
            ),
            (
                (
                    "Insurers in London said the listing would make it harder for the ships to obtain cover "
                    "and to pass through the Danish straits."
                ),
                (
                    "London insurers expect the blacklisted ships to struggle to find cover and to transit "
                    "the Danish straits."
                ),
            ),
            (
                (
                    "The decision needed unanimity and was delayed for two weeks by Hungary, which sought "
                    "guarantees on pipeline deliveries."
                ),
                (
                    "Hungary held up the unanimous decision for a fortnight while it sought assurances over "
                    "pipeline supplies."
                ),
            ),
            (
                (
                    "Moscow called the measures illegal and said it would respond by restricting exports of "
                    "fertiliser to countries that apply them."
                ),
                (
                    "Russia denounced the listing as unlawful and threatened to curb fertiliser sales to the "
                    "countries enforcing it."
                ),
            ),
            (
                (
                    "The list now covers 196 vessels, and officials said another package was being prepared "
                    "for adoption before the end of the year."
                ),
                (
                    "With these additions 196 ships are listed, and officials are already drafting a further "
                    "package for adoption by year-end."
                ),
            ),
        ),
        other_event=(
            (
                "European Union leaders meeting in Brussels on Friday agreed to raise joint defence spending "
                "to 150 billion euros, with loans for air defence and ammunition."
            ),
            (
                "Hungary said it would not take part in the joint borrowing, and Greece asked for naval "
                "projects in the eastern Mediterranean to be included."
            ),
            "The leaders will return to the question of financing at a summit in December.",
        ),
    ),
    "en_floods": Event(
        lang="en",
        headline="Floods in Emilia-Romagna force 6,000 from their homes",
        other_headline="Thousands evacuated as rivers burst banks in northern Italy",
        sentences=(
            (
                (
                    "Some 6,000 people were evacuated in Emilia-Romagna on Sunday after the Lamone and Savio "
                    "rivers burst their banks following two days of torrential rain."
                ),
                (
                    "Two days of downpours pushed the Lamone and Savio over their banks on Sunday, and about "
                    "6,000 Emilia-Romagna residents had to leave."
                ),
            ),
            (
                (
                    "The civil protection agency said 310 millimetres of rain had fallen on the hills above "
                    "Faenza in 48 hours, more than the area usually receives in four months."
                ),
                (
                    "The hills above Faenza received 310 millimetres in 48 hours, over four months' normal "
                    "rainfall, according to civil protection."
                ),
            ),
            (
                (
                    "Two people died when their car was swept off a bridge near Cesena, and a farmer was "
                    "missing in the hills above Forli."
                ),
                (
                    "A car was carried off a bridge close to Cesena, killing two, while a farmer near Forli "
                    "has not been found."
                ),
            ),
            (
                (
                    "Regional president Marta Benedetti asked the government in Rome to declare a state of "
                    "emergency and to release 200 million euros for repairs."
                ),
                (
                    "Marta Benedetti, president of the region, called on Rome for a state of emergency and "
                    "200 million euros in repair funds."
                ),
            ),
            (
                (
                    "Rail traffic between Bologna and Rimini was suspended after the line was flooded near "
                    "Castel Bolognese, the operator said."
                ),
                (
                    "Trains between Bologna and Rimini stopped running because water covered the tracks at "
                    "Castel Bolognese, the rail company said."
                ),
            ),
            (
                (
                    "Army units were sent to Faenza to help firefighters pump water out of basements and to "
                    "deliver drinking water to isolated villages."
                ),
                (
                    "Soldiers joined firefighters in Faenza, pumping out cellars and bringing drinking water "
                    "to cut-off villages."
                ),
            ),
            (
                (
                    "The same towns were flooded in May two years ago, when 17 people died and damage was "
                    "estimated at 8.5 billion euros."
                ),
                (
                    "Two years ago in May floods in the same towns killed 17 and caused about 8.5 billion "
                    "euros of damage."
                ),
            ),
            (
                (
                    "Forecasters expect the rain to ease on Monday evening, but warned that the ground was "
                    "too saturated to absorb any further storms."
                ),
                (
                    "Rain should let up by Monday night, forecasters said, though saturated soil leaves the "
                    "area exposed to any new storm."
                ),
            ),
        ),
        other_event=(
            (
                "Sicily declared a water emergency on Tuesday as reservoirs fell to a quarter of capacity "
                "after the driest winter in decades, regional officials said."
            ),
            (
                "Tankers will supply drinking water to 40 towns, and farmers asked the government in Rome "
                "for help with the cost of irrigation."
            ),
            "The civil protection agency said rationing could last until the autumn.",
        ),
    ),
    "ar_bank": Event(
        lang="ar",
        headline="اتفاق ليبي على توحيد المصرف المركزي خلال 90 يوما",
        other_headline="الفرقاء الليبيون يتفقون على مصرف مركزي موحد",
        sentences=(
            (
                (
                    "توصل ممثلو مجلس النواب والمجلس الأعلى للدولة في ليبيا يوم الأربعاء إلى اتفاق على توحيد "
                    "المصرف المركزي خلال 90 يوما، برعاية بعثة الأمم المتحدة في تونس."
                ),
                (
                    "برعاية أممية في تونس، اتفق مجلس النواب الليبي والمجلس الأعلى للدولة الأربعاء على دمج "
                    "فرعي المصرف المركزي في غضون 90 يوما."
                ),
            ),
            (
                (
                    "وينص الاتفاق على تعيين محافظ جديد هو الاقتصادي سالم الورفلي ومجلس إدارة من تسعة أعضاء "
                    "يمثلون الأقاليم الثلاثة."
                ),
                (
                    "وسيتولى الاقتصادي سالم الورفلي منصب المحافظ، إلى جانب مجلس إدارة تسعة أعضاء من الأقاليم "
                    "الثلاثة، وفق نص الاتفاق."
                ),
            ),
            (
                (
                    "وقالت المبعوثة الأممية كارين هولم إن الخطوة ستسمح باستئناف صرف رواتب نحو مليوني موظف "
                    "حكومي تأخرت منذ شهرين."
                ),
                (
                    "وأوضحت كارين هولم مبعوثة الأمم المتحدة أن رواتب قرابة مليوني موظف في القطاع العام، "
                    "المتأخرة منذ شهرين، ستصرف بفضل هذه الخطوة."
                ),
            ),
            (
                (
                    "وكان الخلاف على إدارة المصرف قد أدى في أغسطس الماضي إلى وقف تصدير النفط من موانئ الهلال "
                    "النفطي لمدة ثلاثة أسابيع."
                ),
                (
                    "ويذكر أن النزاع حول إدارة المصرف تسبب في أغسطس الماضي بتوقف صادرات النفط من الهلال "
                    "النفطي ثلاثة أسابيع."
                ),
            ),
            (
                (
                    "ورحبت السفارة الأمريكية في طرابلس بالاتفاق، ودعت الأطراف إلى نشر ميزانية موحدة قبل "
                    "نهاية العام."
                ),
                (
                    "ودعت سفارة الولايات المتحدة في طرابلس، التي أشادت بالاتفاق، إلى ميزانية موحدة منشورة "
                    "قبل نهاية العام."
                ),
            ),
            (
                "وسيخضع المصرف لتدقيق دولي تجريه شركة محاسبة مستقلة تختارها لجنة مشتركة من المجلسين.",
                "كما ستكلف لجنة مشتركة من المجلسين شركة محاسبة مستقلة بإجراء تدقيق دولي لحسابات المصرف.",
            ),
            (
                "وارتفع سعر الدينار الليبي في السوق الموازية بنحو خمسة في المئة فور الإعلان عن الاتفاق.",
                "وفي السوق الموازية، صعد الدينار الليبي خمسة في المئة تقريبا بعد الإعلان مباشرة.",
            ),
            (
                "ومن المقرر أن يصوت مجلس النواب على الاتفاق في جلسة تعقد في بنغازي الأسبوع المقبل.",
                "ويعقد مجلس النواب في بنغازي الأسبوع المقبل جلسة للتصويت على نص الاتفاق.",
            ),
        ),
        other_event=(
            (
                "اندلعت اشتباكات مسلحة في طرابلس ليل الجمعة بين جماعتين مسلحتين قرب مطار معيتيقة، ما أدى إلى "
                "تعليق الرحلات الجوية لساعات."
            ),
            (
                "وقال جهاز الإسعاف إن ثلاثة مدنيين أصيبوا، فيما دعت بعثة الأمم المتحدة إلى وقف فوري لإطلاق "
                "النار."
            ),
            "واستؤنفت الرحلات صباح السبت بعد انسحاب المسلحين من محيط المطار.",
        ),
    ),
    "ar_aid": Event(
        lang="ar",
        headline="وصول قافلة مساعدات من 35 شاحنة إلى الفاشر",
        other_headline="أول قافلة إغاثة تدخل الفاشر منذ أشهر",
        sentences=(
            (
                (
                    "وصلت قافلة مساعدات إنسانية مؤلفة من 35 شاحنة إلى مدينة الفاشر في شمال دارفور يوم السبت، "
                    "هي الأولى منذ خمسة أشهر."
                ),
                (
                    "دخلت الفاشر بشمال دارفور السبت 35 شاحنة محملة بالمساعدات الإنسانية، في أول قافلة تبلغ "
                    "المدينة منذ خمسة أشهر."
                ),
            ),
            (
                (
                    "وقال برنامج الأغذية العالمي إن الشاحنات تحمل 900 طن من الذرة والبقول والزيت تكفي نحو 60 "
                    "ألف شخص لمدة شهر."
                ),
                (
                    "وتكفي حمولة الشاحنات البالغة 900 طن من الذرة والبقول والزيت قرابة 60 ألف شخص شهرا "
                    "كاملا، بحسب برنامج الأغذية العالمي."
                ),
            ),
            (
                "وانطلقت القافلة من معبر أدري على الحدود التشادية وقطعت أكثر من 400 كيلومتر في تسعة أيام.",
                (
                    "وكانت القافلة قد غادرت معبر أدري عند الحدود مع تشاد، فاجتازت ما يزيد على 400 كيلومتر "
                    "خلال تسعة أيام."
                ),
            ),
            (
                (
                    "وأكدت منسقة الشؤون الإنسانية ليلى المهدي أن الطرفين المتحاربين وافقا على ممر آمن لمدة "
                    "عشرة أيام لتوزيع المساعدات."
                ),
                (
                    "ونقل عن ليلى المهدي منسقة الشؤون الإنسانية أن طرفي الحرب قبلا بممر آمن مدته عشرة أيام "
                    "حتى توزع المساعدات."
                ),
            ),
            (
                (
                    "وأفادت منظمة أطباء بلا حدود بأن معدلات سوء التغذية بين الأطفال في مخيم زمزم تجاوزت 30 "
                    "في المئة."
                ),
                "أما في مخيم زمزم فقد تخطى سوء التغذية لدى الأطفال نسبة 30 في المئة، وفقا لأطباء بلا حدود.",
            ),
            (
                "وتعرضت قافلة سابقة لإطلاق نار قرب بلدة كبكابية في يونيو، ما أدى إلى مقتل سائقين اثنين.",
                "وفي يونيو، قتل سائقان عندما أطلق النار على قافلة سابقة بالقرب من كبكابية.",
            ),
            (
                "وطالبت الأمم المتحدة بفتح معبر الطينة أيضا لتسريع إيصال المساعدات قبل موسم الأمطار.",
                (
                    "ودعت الأمم المتحدة كذلك إلى فتح معبر الطينة كي تصل المساعدات بسرعة أكبر قبل حلول موسم "
                    "الأمطار."
                ),
            ),
            (
                (
                    "ومن المتوقع أن تصل قافلة ثانية تضم 50 شاحنة إلى الفاشر مطلع الشهر المقبل إذا سمحت "
                    "الظروف الأمنية."
                ),
                "وقد تبلغ الفاشر قافلة أخرى من 50 شاحنة في بداية الشهر القادم، إن سمح الوضع الأمني.",
            ),
        ),
        other_event=(
            (
                "قتل 12 شخصا على الأقل في قصف مدفعي استهدف سوقا شعبيا في مدينة الأبيض بولاية شمال كردفان يوم "
                "الاثنين، وفق مصادر طبية."
            ),
            "واتهمت الحكومة قوات الدعم السريع بتنفيذ القصف، بينما نفت الأخيرة أي مسؤولية عنه.",
            "وأغلقت السلطات المحلية الأسواق والمدارس في المدينة حتى إشعار آخر.",
        ),
    ),
    "ar_elections": Event(
        lang="ar",
        headline="الهيئة العليا في تونس تعلن نتائج الانتخابات البلدية",
        other_headline="نتائج الانتخابات البلدية التونسية: مشاركة 23 في المئة",
        sentences=(
            (
                (
                    "أعلنت الهيئة العليا المستقلة للانتخابات في تونس يوم الاثنين أن نسبة المشاركة في "
                    "الانتخابات البلدية بلغت 23 في المئة، وهي الأدنى منذ عام 2011."
                ),
                (
                    "بلغت المشاركة في الانتخابات البلدية التونسية 23 في المئة فقط، وهو أدنى مستوى منذ 2011، "
                    "حسبما أعلنت الهيئة العليا المستقلة للانتخابات الاثنين."
                ),
            ),
            (
                "وقال رئيس الهيئة منير الجلاصي إن القوائم المستقلة فازت بأكثر من نصف المقاعد في 350 بلدية.",
                "وأوضح منير الجلاصي رئيس الهيئة أن المستقلين حصدوا ما يفوق نصف المقاعد في البلديات الـ350.",
            ),
            (
                (
                    "وسجلت أعلى نسبة مشاركة في ولاية سيدي بوزيد، بينما كانت الأدنى في تونس العاصمة حيث لم "
                    "تتجاوز 14 في المئة."
                ),
                (
                    "وكانت العاصمة تونس الأضعف مشاركة بنسبة لا تتعدى 14 في المئة، في حين تصدرت سيدي بوزيد "
                    "الولايات."
                ),
            ),
            (
                (
                    "وقاطعت أحزاب المعارضة الرئيسية الاقتراع، معتبرة أن القانون الانتخابي الجديد يقصي "
                    "الأحزاب لصالح الترشحات الفردية."
                ),
                (
                    "وكانت أبرز أحزاب المعارضة قد امتنعت عن المشاركة، إذ ترى أن القانون الانتخابي الجديد "
                    "يهمش الأحزاب ويفضل المرشحين الأفراد."
                ),
            ),
            (
                "ورصدت شبكة مراقبون 140 مخالفة، معظمها تتعلق بالدعاية الانتخابية يوم الصمت الانتخابي.",
                "أما شبكة مراقبون فقد وثقت 140 مخالفة أغلبها دعاية خلال يوم الصمت الانتخابي.",
            ),
            (
                "وبلغت نسبة النساء بين الفائزين 31 في المئة، مقابل 47 في المئة في انتخابات 2018.",
                "وتراجعت حصة النساء من الفائزين إلى 31 في المئة بعد أن كانت 47 في المئة عام 2018.",
            ),
            (
                "ومن المنتظر أن يتم الطعن في نتائج 12 دائرة أمام المحكمة الإدارية خلال الأيام المقبلة.",
                "ويرتقب أن تنظر المحكمة الإدارية في الأيام القادمة في طعون تخص 12 دائرة.",
            ),
            (
                "وستعقد المجالس البلدية المنتخبة جلساتها الأولى لانتخاب رؤسائها قبل نهاية الشهر.",
                "وقبل انقضاء الشهر، تلتئم المجالس البلدية الجديدة لاختيار رؤسائها في أولى جلساتها.",
            ),
        ),
        other_event=(
            (
                "تظاهر مئات الشبان في مدينة القصرين التونسية يوم الأحد احتجاجا على البطالة وانقطاع المياه، "
                "ورفعوا شعارات تطالب بالتنمية."
            ),
            "وأغلق المحتجون الطريق الرئيسية لساعات قبل أن تتدخل قوات الأمن لفتحها، دون تسجيل إصابات.",
            "وقال والي القصرين إن مشروعا لتحسين شبكة المياه سيبدأ الشهر المقبل.",
        ),
    ),
}


# Boilerplate a syndicator adds besides corpus.BOILERPLATE: a "read more" teaser (the English cleaner strips
# it, like BOILERPLATE) and an outlet blurb no cleaner rule knows, which the near-duplicate step must absorb.
READ_MORE = {
    "en": "Read more: the latest news from the region on our website.",
    "ar": "اقرأ أيضا: آخر أخبار المنطقة على موقعنا.",
}
BLURB = {
    "en": (
        "The Danube Courier is an independent daily newspaper founded in 1994 and owned by its journalists."
    ),
    "ar": "صحيفة الوادي يومية مستقلة تأسست عام 1994 ويملكها صحافيوها.",
}


def boilerplate_lines(lang: str) -> list[str]:
    """What a syndicating outlet appends to an article it copies."""
    return [BOILERPLATE[lang], READ_MORE[lang], BLURB[lang]]


def paragraphs(sentences: list[str]) -> list[str]:
    """Two sentences per paragraph, as the wire lays them out."""
    return [" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]


def original(event: Event) -> list[str]:
    return [wire for wire, _ in event.sentences]


def rewritten(event: Event, count: int) -> list[str]:
    """The article with `count` of its sentences rewritten by another outlet, spread over the text (every
    k-th sentence, not the first `count`) and nested: the sentences rewritten at `count` are also rewritten
    at any larger count, so the edits grow monotonically."""
    order = _spread(len(event.sentences))
    chosen = set(order[:count])
    return [pair[1] if index in chosen else pair[0] for index, pair in enumerate(event.sentences)]


def _spread(length: int) -> list[int]:
    # Bit-reversal-like order: 0, n/2, n/4, 3n/4, ... — each prefix covers the text evenly.
    order: list[int] = []
    step = length
    while len(order) < length:
        for index in range(0, length, step):
            if index not in order:
                order.append(index)
        step = max(1, step // 2)
    return order
