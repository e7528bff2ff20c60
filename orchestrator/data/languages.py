"""Values and numbers for requests written in Chinese, Spanish, German and Japanese
(``phrasebooks/APP.LANG.yaml``).

A request in another language names its values in that language and script: a Chinese user asks
for 炒饭 from 麦当劳 and the weather in 上海, a Spanish one for tacos al pastor in Bogotá. These
pools fill the slots of those phrasebooks (a template names one by ``values: {param: place_zh}``),
so the adapters learn to copy spans in every script; names written in Latin letters in any
language (Nobu, Bad Bunny) come from the English pools. Numbers are said the way each language
says them ("两个人", "五星", "cinco minutos", "zwei Personen"): the call carries the number.
"""

from __future__ import annotations

import random

LANGUAGES = ("zh", "es", "de", "ja")

FOREIGN_POOLS: dict[str, list[str]] = {
    # ----- Chinese ---------------------------------------------------------------------------
    "place_zh": ["北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "重庆", "苏州", "厦门",
                 "青岛", "天津", "香港", "台北", "东京", "纽约", "伦敦", "巴黎", "旧金山", "洛杉矶", "西雅图",
                 "波士顿", "多伦多", "悉尼", "新加坡", "首尔", "三亚", "昆明", "哈尔滨", "大连", "长沙", "浦东",
                 "朝阳区", "海淀区", "中关村", "外滩附近", "公司附近", "我家附近"],
    # A time of day only: templates give the day ("明天", "周六") a slot or words of its own.
    "time_zh": ["早上7点", "早上六点半", "7点", "六点", "早上8点15分", "下午3点", "晚上10点", "中午12点",
                "凌晨5点", "7:30", "6:45", "八点半", "早上五点四十", "下午两点", "晚上九点", "十点", "九点一刻",
                "傍晚6点", "早上9点"],
    "label_zh": ["上班", "吃药", "健身", "开会", "接孩子", "起床", "午睡", "遛狗", "做饭", "背单词"],
    "music_zh": ["周杰伦", "邓紫棋", "五月天", "林俊杰", "王菲", "陈奕迅", "蔡依林", "李荣浩", "薛之谦",
                 "爵士乐", "古典音乐", "摇滚乐", "流行音乐", "轻音乐", "民谣", "说唱", "钢琴曲", "儿歌",
                 "稻香", "晴天", "后来", "青花瓷", "夜曲", "平凡之路", "八十年代的老歌", "抖音热歌"],
    # Eras and styles as a whole request's music: "放八十年代的歌".
    "music_era_zh": ["八十年代的歌", "九十年代的流行歌", "七十年代的老歌", "六十年代的爵士乐", "五十年代的摇滚乐",
                     "千禧年的流行歌", "九十年代的港台金曲", "八十年代的迪斯科"],
    "business_zh": ["海底捞", "鼎泰丰", "全聚德", "外婆家", "西贝", "大董", "眉州东坡", "南京大牌档",
                    "小龙坎", "绿茶餐厅", "花家怡园", "新荣记", "太二酸菜鱼", "蜀大侠"],
    "business_kind_zh": ["火锅", "咖啡店", "川菜馆", "日料", "烧烤", "健身房", "理发店", "面包店", "牙医",
                         "修车店", "奶茶店", "书店", "酒吧", "粤菜", "西餐厅", "花店", "宠物医院", "洗衣店",
                         "湘菜", "素食餐厅"],
    "business_one_zh": ["加油站", "药店", "超市", "咖啡店", "银行", "便利店", "停车场", "医院", "火锅店",
                        "五金店"],
    "food_zh": ["炒饭", "宫保鸡丁", "汉堡", "披萨", "奶茶", "饺子", "牛肉面", "麻辣烫", "寿司", "炸鸡",
                "鱼香肉丝", "小笼包", "烤鸭", "酸辣粉", "凉皮", "煎饼果子", "黄焖鸡米饭", "卤肉饭",
                "麻婆豆腐", "珍珠奶茶", "咖喱饭", "薯条", "鸡翅", "沙拉"],
    "restaurant_zh": ["麦当劳", "肯德基", "必胜客", "海底捞", "星巴克", "赛百味", "汉堡王", "喜茶", "瑞幸",
                      "沙县小吃", "真功夫", "达美乐", "庆丰包子铺", "老乡鸡"],
    "person_zh": ["小王", "妈妈", "爸爸", "张伟", "李娜", "王芳", "陈明", "老板", "刘洋", "小李", "奶奶",
                  "赵磊", "老婆", "老公", "李老师", "周杰", "孙丽", "小张"],
    "message_zh": ["我晚点到", "今晚一起吃饭吧", "我到楼下了", "会议改到下午三点", "记得带钥匙", "生日快乐",
                   "我在路上了", "明天见", "帮我买瓶牛奶", "十分钟后到"],
    "destination_zh": ["机场", "公司", "家", "火车站", "北京南站", "人民广场", "天安门", "虹桥机场", "学校",
                       "最近的医院", "西湖", "世纪公园", "国贸", "三里屯"],
    "event_zh": ["音乐会", "演唱会", "话剧", "展览", "脱口秀", "篮球比赛", "足球赛", "音乐节", "相声",
                 "亲子活动", "电影节", "读书会"],
    "date_zh": ["今天", "明天", "后天", "周六", "这周五", "下周一", "星期天", "周末", "3月5日", "五一",
                "国庆节", "本周六"],
    "topic_zh": ["科技", "体育", "股市", "人工智能", "电动车", "房价", "NBA", "世界杯", "苹果公司",
                 "油价", "高考", "疫情", "美联储", "华为"],
    "app_name_zh": ["微信", "支付宝", "淘宝", "抖音", "微博", "高德地图", "相机", "设置", "京东", "美团",
                    "网易云音乐", "小红书", "哔哩哔哩", "百度"],
    "device_zh": ["耳机", "蓝牙耳机", "音箱", "车载蓝牙", "小米手环", "智能手表", "键盘", "AirPods"],
    "title_zh": ["周会", "牙医预约", "生日聚会", "项目评审", "面试", "家长会", "体检", "同学聚会",
                 "和客户吃饭", "瑜伽课"],
    "when_zh": ["明天下午3点", "周五上午10点", "下周一早上9点", "今晚8点", "后天中午", "这周六下午两点",
                "3月5日上午", "明天上午十点"],
    "video_zh": ["做饭教程", "猫咪视频", "吉他教学", "健身视频", "旅行vlog", "周杰伦演唱会", "搞笑视频",
                 "英语学习", "手机评测", "睡前故事"],
    "email_subject_zh": ["会议纪要", "请假申请", "周报", "报价单", "项目进度", "合同"],
    "work_zh": ["三体", "活着", "红楼梦", "围城", "平凡的世界", "白夜行", "百年孤独", "小王子", "流浪地球",
                "明朝那些事儿", "解忧杂货店"],
    # ----- Spanish ---------------------------------------------------------------------------
    "place_es": ["Madrid", "Barcelona", "Sevilla", "Valencia", "Bilbao", "Málaga", "Ciudad de México",
                 "Guadalajara", "Monterrey", "Buenos Aires", "Bogotá", "Medellín", "Lima", "Santiago",
                 "Quito", "Caracas", "San Juan", "Miami", "Nueva York", "Los Ángeles", "Londres", "París",
                 "Granada", "Salamanca", "el centro", "mi barrio"],
    "time_es": ["las 7", "las siete", "las 6:30", "las seis y media", "las 7 de la mañana", "las ocho",
                "mediodía", "las 10 de la noche", "las 5:45", "las cinco y cuarto", "las nueve",
                "las 3 de la tarde", "medianoche", "las seis de la mañana"],
    "label_es": ["trabajo", "gimnasio", "medicina", "reunión", "despertar", "recoger a los niños", "clase"],
    "music_es": ["Shakira", "Bad Bunny", "Rosalía", "Juanes", "Maná", "Luis Miguel", "Karol G", "J Balvin",
                 "Alejandro Sanz", "Enrique Iglesias", "salsa", "reguetón", "flamenco", "bachata", "cumbia",
                 "música clásica", "jazz", "rock en español", "boleros", "Despacito", "La Bamba",
                 "música para dormir", "éxitos de los 80"],
    "business_es": ["Casa Lucio", "Botín", "El Rincón", "La Taberna", "Casa Mono", "El Celler",
                    "La Barraca", "Pujol", "Central", "Don Julio", "El Cardenal", "Casa Paco"],
    "business_kind_es": ["tacos", "pizzerías", "cafeterías", "dentistas", "gimnasios", "peluquerías",
                         "sushi", "panaderías", "restaurantes italianos", "bares de tapas", "marisquerías",
                         "talleres mecánicos", "floristerías", "librerías", "asadores", "heladerías"],
    "business_one_es": ["gasolinera", "farmacia", "cafetería", "cajero", "supermercado", "panadería",
                        "ferretería", "pizzería", "taquería", "tienda"],
    "food_es": ["hamburguesa con papas", "tacos al pastor", "paella", "pizza", "empanadas", "burrito",
                "ensalada césar", "sushi", "pollo asado", "enchiladas", "quesadillas", "tortilla de patatas",
                "arepas", "ceviche", "churros", "alitas", "pizza hawaiana", "sopa de pollo", "nachos"],
    "restaurant_es": ["McDonald's", "Burger King", "Taco Bell", "Telepizza", "Domino's", "KFC", "Subway",
                      "Chipotle", "Papa John's", "Pollo Campero", "El Pollo Loco", "Vips"],
    "person_es": ["mamá", "papá", "Juan", "María", "Carlos", "Lucía", "mi jefe", "Sofía", "Diego", "abuela",
                  "Ana García", "Pedro", "tía Carmen", "Javier", "mi hermano"],
    "message_es": ["llego tarde", "te veo a las ocho", "ya estoy abajo", "compra leche", "feliz cumpleaños",
                   "voy en camino", "la reunión es mañana", "llámame cuando puedas", "no me esperes"],
    "destination_es": ["el aeropuerto", "la oficina", "casa", "la estación", "el centro", "la playa",
                       "el hospital", "la universidad", "Plaza Mayor", "el estadio", "Atocha"],
    "event_es": ["conciertos", "teatro", "exposiciones", "partidos de fútbol", "comedia", "festivales",
                 "flamenco", "cine al aire libre", "mercadillos", "música en vivo"],
    "date_es": ["hoy", "mañana", "el sábado", "el viernes", "el próximo lunes", "el domingo", "pasado mañana",
                "este fin de semana", "el 5 de marzo"],
    "topic_es": ["tecnología", "deportes", "fútbol", "economía", "elecciones", "el Real Madrid", "la bolsa",
                 "inteligencia artificial", "el clima", "política", "cine", "la Liga"],
    "app_name_es": ["WhatsApp", "Instagram", "la cámara", "Spotify", "ajustes", "Gmail", "Maps", "YouTube",
                    "TikTok", "la calculadora", "Netflix", "Uber"],
    "device_es": ["auriculares", "los audífonos", "el altavoz", "la bocina", "el reloj", "AirPods",
                  "el coche", "la barra de sonido"],
    "title_es": ["reunión de equipo", "cita con el dentista", "cumpleaños de mamá", "entrevista",
                 "clase de yoga", "cena con clientes", "revisión del proyecto", "partido de fútbol"],
    "when_es": ["mañana a las 3", "el viernes a las 10", "el lunes a las nueve", "esta noche a las 8",
                "el sábado por la tarde", "pasado mañana al mediodía", "el 5 de marzo a las 11"],
    "video_es": ["recetas fáciles", "videos de gatos", "clases de guitarra", "rutina de ejercicios",
                 "tutorial de maquillaje", "goles del Real Madrid", "cuentos para dormir"],
    # ----- German ----------------------------------------------------------------------------
    "place_de": ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Düsseldorf", "Leipzig",
                 "Dresden", "Hannover", "Nürnberg", "Bremen", "Wien", "Zürich", "Salzburg", "Graz", "Basel",
                 "Bern", "Heidelberg", "Freiburg", "Rostock", "Mallorca", "Paris", "London", "New York",
                 "der Innenstadt", "meiner Nähe", "Kreuzberg", "Schwabing"],
    "time_de": ["7 Uhr", "sieben Uhr", "6:30", "halb sieben", "7 Uhr morgens", "acht Uhr", "12 Uhr mittags",
                "22 Uhr", "5:45", "Viertel nach sechs", "neun Uhr", "15 Uhr", "Mitternacht", "6 Uhr früh",
                "halb acht", "10 Uhr"],
    "label_de": ["Arbeit", "Training", "Medikamente", "Meeting", "Aufstehen", "Kinder abholen", "Yoga"],
    "music_de": ["Helene Fischer", "Rammstein", "Die Toten Hosen", "Herbert Grönemeyer", "Nena", "Peter Fox",
                 "Mark Forster", "Kraftwerk", "Cro", "Sido", "AnnenMayKantereit", "Jazz", "Klassik",
                 "Schlager", "Rockmusik", "Entspannungsmusik", "Deutschrap", "Techno", "Weihnachtslieder",
                 "99 Luftballons", "Atemlos", "Musik der 80er"],
    "business_de": ["Zur Letzten Instanz", "Hofbräuhaus", "Curry 36", "Mustafa's Gemüse Kebap",
                    "Café Einstein", "Borchardt", "Augustiner Keller", "Tim Raue", "Zum Franziskaner",
                    "Café Sacher", "Brauhaus Früh", "Ratskeller"],
    "business_kind_de": ["Pizzerien", "Cafés", "Zahnärzte", "Fitnessstudios", "Friseure", "Sushi-Restaurants",
                         "Bäckereien", "Biergärten", "italienische Restaurants", "Döner", "Werkstätten",
                         "Buchhandlungen", "Steakhäuser", "Eisdielen", "vegane Restaurants", "Bars"],
    "business_one_de": ["Tankstelle", "Apotheke", "Bäckerei", "Geldautomat", "Supermarkt", "Café",
                        "Baumarkt", "Pizzeria", "Drogerie", "Werkstatt"],
    "food_de": ["Currywurst mit Pommes", "Döner", "Pizza Margherita", "Schnitzel", "Sushi", "Burger mit Pommes",
                "Falafel", "Pad Thai", "Käsespätzle", "Pommes", "Frühlingsrollen", "Lasagne",
                "Pizza Salami", "Caesar Salad", "Gyros", "Ramen", "Bratwurst", "Chicken Wings"],
    "restaurant_de": ["McDonald's", "Burger King", "Vapiano", "Nordsee", "L'Osteria", "Subway", "KFC",
                      "Domino's", "Hans im Glück", "dean&david", "Pizza Hut", "Five Guys"],
    "person_de": ["Mama", "Papa", "Anna", "Thomas", "Julia", "Lukas", "Klaus", "Sophie", "Max", "Oma", "Opa",
                  "Stefan Müller", "Lena", "Tante Petra", "Jonas", "Frau Schmidt"],
    "message_de": ["ich komme später", "bin in zehn Minuten da", "ich stehe unten", "bring Milch mit",
                   "alles Gute zum Geburtstag", "bin unterwegs", "das Meeting ist morgen",
                   "ruf mich zurück", "wartet nicht auf mich"],
    # Places a request reaches with "zum" / "vom" (masculine and neuter).
    "destination_de": ["Flughafen", "Hauptbahnhof", "Büro", "Alexanderplatz", "Marienplatz", "Krankenhaus",
                       "Stadion", "Strand", "Olympiapark", "Kino", "Rathaus", "Zoo"],
    "event_de": ["Konzerte", "Theater", "Ausstellungen", "Fußballspiele", "Comedy", "Festivals",
                 "Flohmärkte", "Weihnachtsmärkte", "Livemusik", "Open-Air-Kino"],
    "date_de": ["heute", "morgen", "übermorgen", "Samstag", "Freitag", "nächsten Montag", "Sonntag",
                "am Wochenende", "am 5. März"],
    "topic_de": ["Technik", "Sport", "Fußball", "Wirtschaft", "Bundestag", "Bayern München", "die Börse",
                 "künstliche Intelligenz", "das Wetter", "Politik", "Elektroautos", "die Bundesliga"],
    "app_name_de": ["WhatsApp", "Instagram", "die Kamera", "Spotify", "Einstellungen", "Gmail", "Maps",
                    "YouTube", "den Taschenrechner", "Netflix", "DB Navigator", "Telegram"],
    "device_de": ["Kopfhörer", "Bose Kopfhörer", "JBL Box", "Lautsprecher", "Smartwatch", "AirPods",
                  "Galaxy Buds", "Soundbar"],
    "title_de": ["Teammeeting", "Zahnarzttermin", "Mamas Geburtstag", "Vorstellungsgespräch", "Yogakurs",
                 "Abendessen mit Kunden", "Projektbesprechung", "Elternabend"],
    "when_de": ["morgen um 15 Uhr", "Freitag um 10", "Montag um neun", "heute Abend um 8",
                "Samstagnachmittag", "übermorgen mittags", "am 5. März um 11"],
    "video_de": ["einfache Rezepte", "Katzenvideos", "Gitarre lernen", "Workout für zu Hause",
                 "Schminktipps", "Tore von Bayern", "Gute-Nacht-Geschichten"],
    "email_subject_de": ["Protokoll", "Urlaubsantrag", "Wochenbericht", "Angebot", "Projektstand", "Vertrag"],
    # Kinds of place to eat, masculine or neuter ("in einem Steakhaus", "bei einem Italiener").
    "venue_de": ["Restaurant", "Steakhaus", "Bistro", "Gasthaus", "Brauhaus", "Wirtshaus", "Sushi-Restaurant",
                 "Lokal", "Italiener", "Griechen", "Inder", "Thai-Restaurant", "Fischrestaurant"],
    "music_era_de": ["Musik aus den Achtzigern", "Hits der 90er", "Rock aus den Siebzigern", "Schlager der 70er",
                     "Lieder aus den Sechzigern", "Pop von 2010", "Jazz aus den Fünfzigern",
                     "die größten Hits von 1985", "Neue Deutsche Welle", "Songs aus dem Jahr 1999"],
    "work_de": ["Die Verwandlung", "Der Vorleser", "Faust", "Tschick", "Der Steppenwolf", "Im Westen nichts Neues",
                "Die unendliche Geschichte", "Das Parfum", "Momo", "Der Process", "Dark", "Babylon Berlin"],
    # ----- Japanese --------------------------------------------------------------------------
    "place_ja": ["東京", "大阪", "京都", "横浜", "名古屋", "札幌", "福岡", "神戸", "仙台", "広島", "那覇",
                 "渋谷", "新宿", "池袋", "銀座", "梅田", "博多", "鎌倉", "箱根", "ソウル", "ニューヨーク",
                 "パリ", "ロンドン", "駅の近く", "会社の近く"],
    "time_ja": ["7時", "朝7時", "6時半", "朝6時", "8時15分", "午後3時", "夜10時", "正午", "5時45分",
                "七時", "九時", "午前5時", "7:30", "夕方6時", "朝8時"],
    "label_ja": ["仕事", "薬", "ジム", "会議", "起床", "お迎え", "昼寝", "ゴミ出し"],
    "music_ja": ["米津玄師", "宇多田ヒカル", "YOASOBI", "嵐", "Mr.Children", "あいみょん", "King Gnu",
                 "Official髭男dism", "椎名林檎", "ジャズ", "クラシック", "J-POP", "ロック", "アニソン", "演歌",
                 "ボカロ", "Lemon", "夜に駆ける", "Pretender", "昭和の歌謡曲", "ヒーリング音楽"],
    "business_ja": ["一蘭", "すきやばし次郎", "叙々苑", "築地寿司清", "天一", "かに道楽", "銀座久兵衛",
                    "鳥貴族", "一風堂", "つばめグリル", "資生堂パーラー", "まい泉"],
    "business_kind_ja": ["ラーメン屋", "カフェ", "寿司屋", "焼肉屋", "居酒屋", "歯医者", "美容院", "パン屋",
                         "ジム", "本屋", "イタリアン", "うどん屋", "花屋", "動物病院", "定食屋"],
    "business_one_ja": ["ガソリンスタンド", "薬局", "コンビニ", "ATM", "スーパー", "カフェ", "銀行", "駐車場",
                        "病院", "ドラッグストア"],
    "food_ja": ["牛丼", "ラーメン", "カレーライス", "寿司", "ピザ", "ハンバーガー", "唐揚げ弁当", "天丼",
                "餃子", "親子丼", "たこ焼き", "うどん", "そば", "とんかつ", "オムライス", "タピオカミルクティー",
                "ポテト", "焼きそば"],
    "restaurant_ja": ["マクドナルド", "吉野家", "すき家", "モスバーガー", "ケンタッキー", "ピザハット",
                      "スターバックス", "松屋", "ココイチ", "ガスト", "サイゼリヤ", "丸亀製麺"],
    "person_ja": ["お母さん", "お父さん", "田中さん", "佐藤さん", "鈴木さん", "部長", "妻", "夫", "山田さん",
                  "おばあちゃん", "高橋さん", "兄", "伊藤先生", "ゆうこ"],
    "message_ja": ["少し遅れます", "今夜ご飯行こう", "下に着いたよ", "会議は3時に変更です", "鍵を忘れないで",
                   "お誕生日おめでとう", "今向かってる", "また明日", "牛乳買ってきて"],
    "destination_ja": ["空港", "会社", "家", "東京駅", "渋谷駅", "羽田空港", "病院", "学校", "ディズニーランド",
                       "スカイツリー", "一番近いコンビニ"],
    "event_ja": ["コンサート", "ライブ", "演劇", "展覧会", "花火大会", "お祭り", "サッカーの試合", "落語",
                 "フリーマーケット", "映画祭"],
    "date_ja": ["今日", "明日", "明後日", "土曜日", "金曜日", "来週の月曜日", "日曜日", "週末", "3月5日"],
    "topic_ja": ["テクノロジー", "スポーツ", "野球", "経済", "選挙", "大谷翔平", "株価", "人工知能", "円安",
                 "政治", "電気自動車", "Jリーグ"],
    "app_name_ja": ["LINE", "Instagram", "カメラ", "Spotify", "設定", "Gmail", "マップ", "YouTube", "電卓",
                    "Netflix", "PayPay", "メルカリ"],
    "device_ja": ["イヤホン", "ヘッドホン", "スピーカー", "ワイヤレスイヤホン", "スマートウォッチ", "AirPods",
                  "車", "キーボード"],
    "title_ja": ["定例会議", "歯医者の予約", "誕生日会", "面接", "ヨガ教室", "打ち合わせ", "健康診断", "飲み会"],
    "when_ja": ["明日の午後3時", "金曜の10時", "来週月曜の9時", "今夜8時", "土曜の午後", "明後日の昼",
                "3月5日の11時"],
    "video_ja": ["簡単レシピ", "猫の動画", "ギター講座", "筋トレ", "メイク動画", "旅行vlog", "大谷翔平のホームラン"],
    "email_subject_ja": ["議事録", "休暇申請", "週報", "見積書", "進捗報告", "契約書"],
    "work_ja": ["ノルウェイの森", "吾輩は猫である", "君の名は。", "羅生門", "人間失格", "雪国", "ワンピース", "火花",
                "コンビニ人間", "千と千尋の神隠し", "海辺のカフカ"],
}  # fmt: skip

_ZH_DIGITS = "零一二三四五六七八九"
_DE_WORDS = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"]
_ES_WORDS = [
    "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce",
    "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte",
]  # fmt: skip


def chinese_numeral(value: int) -> str:
    """0-99 in Chinese numerals (十五, 二十, 三十七)."""
    if value < 10:
        return _ZH_DIGITS[value]
    tens, units = divmod(value, 10)
    return (_ZH_DIGITS[tens] if tens > 1 else "") + "十" + (_ZH_DIGITS[units] if units else "")


def chinese_number(numeral: str) -> int:
    """The inverse of ``chinese_numeral`` for 0-99, with 两 for 2: 十五 -> 15, 两 -> 2."""
    tens, ten, units = numeral.replace("两", "二").rpartition("十")
    if not ten:
        return _ZH_DIGITS.index(units)
    return (_ZH_DIGITS.index(tens) if tens else 1) * 10 + (_ZH_DIGITS.index(units) if units else 0)


def number_surface_in(language: str, value: int | float, rng: random.Random) -> str | None:
    """How a speaker of ``language`` writes ``value``, or None to leave it to ``values.number_surface``
    (English, and where Chinese and Spanish use digits). German and Japanese never borrow an
    English number word."""
    if not isinstance(value, int) or value < 0:
        return None
    if language == "zh" and value < 100 and rng.random() < 0.5:
        return "两" if value == 2 and rng.random() < 0.6 else chinese_numeral(value)
    if language == "es" and value <= 20 and rng.random() < 0.3:
        return _ES_WORDS[value]
    if language == "de":
        return _DE_WORDS[value] if value <= 12 and rng.random() < 0.3 else str(value)
    if language == "ja":
        # 五, 十五: Japanese writes small numbers in the same kanji as Chinese, or in digits.
        return chinese_numeral(value) if 0 < value < 100 and rng.random() < 0.2 else str(value)
    return None
