"""Arabic-English article pairs for cross-language stories, written for the tests by the project (not real
articles): ten events, each reported once in English and once in Arabic (label `same_story`), and for each a
report in Arabic of another event of the same topic and the same parties — other figures, another day —
(label `different`). The English report comes first. The Arabic reports of the same event leave some
figures out, as another desk does; some reports of the other event repeat one figure of the first (the
earlier quake's magnitude, the OPEC output, the aircraft type).

Run `.venv/bin/python -m tests.dedup.crosslingual_pairs` to write tests/dedup/crosslingual.jsonl for
`newsmon dedup --eval` (with dedup.cross_language_stories on).
"""

from __future__ import annotations

import json
from pathlib import Path

from newsmon.streams.dedup.evaluation import LabelledPair

PAIRS_FILE = Path(__file__).with_name("crosslingual.jsonl")

# name: (English report, Arabic report of the same event, Arabic report of another event of the topic)
EVENTS: dict[str, tuple[str, str, str]] = {
    "hodeidah_strikes": (
        "Coalition air strikes on the Yemeni port of Hodeidah killed 23 people on Tuesday, residents and "
        "medics said. The Saudi-led coalition said it had hit Houthi positions near the port. The strikes "
        "damaged 4 cranes and a warehouse holding 3,500 tonnes of wheat, port officials said. The United "
        "Nations said 21 million Yemenis need aid and called on all sides to spare the port.",
        "قتل 23 شخصا يوم الثلاثاء في غارات جوية شنها التحالف على ميناء الحديدة اليمني، بحسب سكان ومسعفين. "
        "وقال التحالف الذي تقوده السعودية إنه استهدف مواقع للحوثيين قرب الميناء. وأفاد مسؤولون في الميناء "
        "بأن الغارات دمرت 4 رافعات ومستودعا يضم 3500 طن من القمح. وقالت الأمم المتحدة إن 21 مليون يمني "
        "بحاجة إلى المساعدات ودعت جميع الأطراف إلى تجنيب الميناء.",
        "قتل 11 مدنيا يوم الأربعاء في غارات للتحالف الذي تقوده السعودية على مدينة تعز اليمنية، وفق مصادر "
        "طبية. وقال التحالف إنه استهدف مخازن أسلحة للحوثيين في المدينة. وأضافت المصادر أن 37 شخصا أصيبوا "
        "وأن 6 منازل دمرت. ودعت الأمم المتحدة إلى هدنة إنسانية لإيصال المساعدات إلى اليمن.",
    ),
    "brent_rise": (
        "Brent crude rose 1.2 percent to 49.50 dollars a barrel on Thursday after US data showed crude "
        "stocks fell by 4.4 million barrels last week. OPEC pumped 31.5 million barrels a day in July, a "
        "Reuters survey showed. Saudi Arabia kept its output near 10.4 million barrels a day.",
        "ارتفع سعر خام برنت 1.2 في المئة إلى 49.50 دولار للبرميل يوم الخميس بعدما أظهرت بيانات أمريكية "
        "تراجع مخزونات الخام 4.4 مليون برميل الأسبوع الماضي. وأظهر مسح أن أوبك ضخت 31.5 مليون برميل يوميا "
        "في يوليو. وأبقت السعودية إنتاجها قرب 10.4 مليون برميل يوميا.",
        "تراجع سعر خام برنت 2.7 في المئة إلى 43.21 دولار للبرميل يوم الاثنين مع مخاوف من تباطؤ الطلب في "
        "الصين. وقالت أوبك إن إنتاجها بقي فوق 31.5 مليون برميل يوميا في أغسطس. وزادت السعودية صادراتها إلى "
        "7.3 مليون برميل يوميا.",
    ),
    "eu_russia_sanctions": (
        "The European Union extended its economic sanctions on Russia by 6 months until 31 January 2016, "
        "EU diplomats said on Monday. The measures restrict Russian banks and energy firms and ban exports "
        "of arms. The EU first imposed them in July 2014 over the conflict in Ukraine, in which more than "
        "6,800 people have been killed.",
        "مدد الاتحاد الأوروبي عقوباته الاقتصادية على روسيا 6 أشهر حتى 31 يناير 2016، بحسب دبلوماسيين "
        "أوروبيين يوم الاثنين. وتقيد الإجراءات المصارف الروسية وشركات الطاقة وتحظر تصدير الأسلحة. وكان "
        "الاتحاد قد فرضها أول مرة في يوليو 2014 بسبب النزاع في أوكرانيا الذي قتل فيه أكثر من 6800 شخص.",
        "أضافت الولايات المتحدة 29 شركة وفردا روسيا إلى قائمة العقوبات يوم الأربعاء بسبب النزاع في "
        "أوكرانيا. وقالت وزارة الخزانة إن الإجراءات تجمد أصول 11 شركة طاقة. وردت روسيا بأنها ستدرس خطوات "
        "مماثلة ضد 14 شركة أمريكية.",
    ),
    "kuwait_pledges": (
        "Donors meeting in Kuwait pledged 3.8 billion dollars in aid for Syrians on Tuesday, UN officials "
        "said. Kuwait pledged 500 million dollars and the United States 507 million. The United Nations "
        "had appealed for 8.4 billion dollars for 2015, and 3.9 million Syrians have fled the country.",
        "تعهد المانحون المجتمعون في الكويت يوم الثلاثاء بتقديم 3.8 مليار دولار مساعدات للسوريين، بحسب "
        "مسؤولين في الأمم المتحدة. وتعهدت الكويت بمبلغ 500 مليون دولار. "
        "وكانت الأمم المتحدة قد طلبت 8.4 مليار دولار لعام 2015، وقد فر 3.9 مليون سوري من البلاد.",
        "تعهد المانحون في مؤتمر لندن يوم الخميس بتقديم أكثر من 10 مليارات دولار للسوريين. وقالت بريطانيا "
        "إنها ستقدم 1.2 مليار جنيه إسترليني وتعهدت الكويت بمبلغ 300 مليون دولار. وقالت الأمم المتحدة إن "
        "13.5 مليون شخص داخل سوريا بحاجة إلى المساعدة.",
    ),
    "nepal_quake": (
        "A magnitude 7.8 earthquake struck Nepal on Saturday, killing at least 1,800 people, police said. "
        "The quake was centred 77 kilometres northwest of Kathmandu. India sent 4 aircraft with "
        "relief supplies and 285 rescuers, and the United Nations said 6.6 million people live in the "
        "affected areas.",
        "ضرب زلزال بقوة 7.8 درجات نيبال يوم السبت وقتل 1800 شخص على الأقل، بحسب الشرطة. وكان مركز الزلزال "
        "على بعد 77 كيلومترا شمال غرب كاتماندو. وأرسلت الهند 4 طائرات محملة بمواد الإغاثة و285 منقذا، وقالت "
        "الأمم المتحدة إن 6.6 مليون شخص يعيشون في المناطق المتضررة.",
        "ضرب زلزال جديد بقوة 7.3 درجات شرق نيبال يوم الثلاثاء وقتل 65 شخصا على الأقل وأصاب أكثر من 1900، "
        "بعد 17 يوما من زلزال بقوة 7.8 درجات قتل أكثر من 8000 شخص. وكان مركزه قرب جبل إيفرست على عمق 15 "
        "كيلومترا. وأرسلت الهند فرقا إضافية للإغاثة.",
    ),
    "russian_jet": (
        "Turkey shot down a Russian warplane near the Syrian border on Tuesday, saying it had violated "
        "Turkish airspace 10 times in 5 minutes. Russia said the Su-24 was flying 1 kilometre inside "
        "Syria. One of the 2 pilots was killed, Moscow said, and NATO called an emergency meeting of its 28 "
        "members.",
        "أسقطت تركيا طائرة حربية روسية قرب الحدود السورية يوم الثلاثاء، وقالت إنها انتهكت المجال الجوي "
        "التركي 10 مرات خلال 5 دقائق. وقالت روسيا إن الطائرة سو-24 كانت تحلق داخل سوريا. "
        "وقالت موسكو إن أحد الطيارين قتل، ودعا حلف الناتو إلى اجتماع طارئ.",
        "فرضت روسيا يوم السبت عقوبات اقتصادية على تركيا تشمل حظر الرحلات السياحية ووقف استيراد بعض "
        "المنتجات، بعد 4 أيام من إسقاط الطائرة سو-24. وقال الكرملين إن الإجراءات تطال 3 ملايين سائح روسي "
        "سنويا وتبادلا تجاريا بقيمة 31 مليار دولار.",
    ),
    "suez_canal": (
        "Egypt opened a 72-kilometre expansion of the Suez Canal on Thursday, built in 12 months at a cost "
        "of 8.2 billion dollars. President Sisi said canal revenue would rise to 13.2 billion dollars a year "
        "by 2023, from 5.3 billion in 2014. The new lane lets 97 ships pass a day.",
        "افتتحت مصر يوم الخميس توسعة قناة السويس بطول 72 كيلومترا، أنجزت في 12 شهرا بتكلفة 8.2 مليار "
        "دولار. وقال الرئيس السيسي إن إيرادات القناة سترتفع إلى 13.2 مليار دولار سنويا بحلول 2023 من 5.3 "
        "مليار في 2014. وتسمح القناة الجديدة بعبور مزيد من السفن يوميا.",
        "قالت هيئة قناة السويس إن إيرادات القناة بلغت 449 مليون دولار في يناير، بتراجع 6.1 في المئة عن "
        "الشهر نفسه من العام الماضي. وعبرت القناة 1420 سفينة خلال الشهر. وأرجعت الهيئة التراجع إلى تباطؤ "
        "التجارة العالمية.",
    ),
    "mina_stampede": (
        "At least 717 pilgrims were killed and 863 injured in a stampede at Mina near Mecca on Thursday, "
        "Saudi Arabia's civil defence said. It was the worst Hajj disaster in 25 years. Iran said 131 of "
        "its nationals were among the dead, and some 2 million pilgrims are performing the Hajj.",
        "لقي 717 حاجا على الأقل حتفهم وأصيب 863 في تدافع في منى قرب مكة يوم الخميس، بحسب الدفاع المدني "
        "السعودي. وهي أسوأ كارثة يشهدها الحج منذ 25 عاما. وقالت إيران إن 131 من مواطنيها بين القتلى، "
        "ويؤدي نحو 2 مليون حاج فريضة الحج.",
        "قتل 107 أشخاص وأصيب 238 عندما سقطت رافعة على المسجد الحرام في مكة يوم الجمعة خلال عاصفة، بحسب "
        "الدفاع المدني السعودي. وكانت الرافعة تعمل في مشروع توسعة الحرم. وأمر الملك سلمان بالتحقيق في "
        "الحادث.",
    ),
    "iran_deal": (
        "Iran and six world powers reached a nuclear deal in Vienna on Tuesday after 18 days of talks. Iran "
        "will cut its centrifuges to 6,104 and keep 300 kilograms of enriched uranium for 15 years. "
        "Sanctions will be lifted once the IAEA confirms the steps, and inspectors may be given 24 days "
        "to reach a site.",
        "توصلت إيران والقوى الكبرى الست إلى اتفاق نووي في فيينا يوم الثلاثاء بعد 18 يوما من المفاوضات. "
        "وستخفض إيران أجهزة الطرد المركزي إلى 6104 وتحتفظ بـ300 كيلوغرام من اليورانيوم المخصب لمدة 15 "
        "عاما. وسترفع العقوبات بعد أن تؤكد الوكالة الدولية للطاقة الذرية الخطوات، وقد يمنح المفتشون 24 "
        "يوما للوصول إلى أي موقع.",
        "أجرت إيران يوم الأحد تجربة على صاروخ باليستي جديد يصل مداه إلى 1700 كيلومتر، بحسب التلفزيون "
        "الرسمي. وقالت الولايات المتحدة إن التجربة تنتهك قرارا لمجلس الأمن. وتوعدت إيران بمواصلة تطوير "
        "برنامجها الصاروخي رغم الاتفاق النووي.",
    ),
    "salman_kerry": (
        "King Salman received US Secretary of State John Kerry in Riyadh on Sunday. They discussed the war "
        "in Yemen, the crisis in Syria and the nuclear agreement with Iran, the Saudi news agency said. "
        "Kerry thanked the king for his support for the coalition against the Islamic State group.",
        "استقبل خادم الحرمين الشريفين الملك سلمان في الرياض يوم الأحد وزير الخارجية الأمريكي جون كيري. "
        "وبحث الجانبان الحرب في اليمن والأزمة في سوريا والاتفاق النووي مع إيران، بحسب وكالة الأنباء "
        "السعودية. وشكر كيري الملك على دعمه للتحالف ضد تنظيم الدولة الإسلامية.",
        "استقبل الملك سلمان في جدة يوم الخميس وزير الدفاع الأمريكي آشتون كارتر، وبحثا التعاون العسكري "
        "بين البلدين والأوضاع في اليمن. وحضر اللقاء ولي ولي العهد وزير الدفاع الأمير محمد بن سلمان.",
    ),
}


def pairs() -> list[LabelledPair]:
    """Per event: the Arabic report after the English one (same story), and the Arabic report of the other
    event after the English one (different)."""
    found = []
    for english, arabic, other in EVENTS.values():
        found.append(LabelledPair(a=english, b=arabic, lang="en-ar", label="same_story", kind="same_event"))
        found.append(LabelledPair(a=english, b=other, lang="en-ar", label="different", kind="other_event"))
    return found


if __name__ == "__main__":
    PAIRS_FILE.write_text(
        "".join(json.dumps(pair.model_dump(), ensure_ascii=False) + "\n" for pair in pairs()),
        encoding="utf-8",
    )
    print(f"{PAIRS_FILE}: {len(pairs())} pairs")
