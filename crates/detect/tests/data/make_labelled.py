"""Writes labelled.jsonl: listings as a patrol sees them, each with `expect` (the reason
codes a human reviewer assigned). Deterministic; run once, the output is committed.
Cases were written from the issue's list (every reason, every disguise, the traps), not
from the detector's output."""
import json, random
R = random.Random(20240601)
out = []
n = [0]
def add(title, expect, category=None, price=None, desc=None, shop=None, ship=None, note="", level=None):
    n[0] += 1
    d = {"id": f"L{n[0]:04d}", "platform": R.choice(["淘宝", "拼多多", "京东", "抖音", "闲鱼"]), "title": title}
    if desc: d["description"] = desc
    if price is not None: d["price"] = price
    if category: d["category"] = category
    if shop: d["shop"] = shop
    if ship: d["ship_from"] = ship
    d["expect"] = sorted(set(expect))
    if level: d["level"] = level
    d["note"] = note
    out.append(d)
shops = [{"id": f"s{i}", "name": nm, "province": p, "city": c} for i, (nm, p, c) in enumerate([
    ("潮鞋小铺", "福建", "莆田"), ("阿强运动", "广东", "广州"), ("好物集合店", "浙江", "义乌"),
    ("时尚女包馆", "广东", "深圳"), ("数码配件城", "广东", "深圳"), ("优选百货", "江苏", "苏州")])]
def shop(): return dict(R.choice(shops))
# 1. disguised marks with counterfeit slang (shoes/clothes)
disguises = [("NIKE", "耐克"), ("N1KE", "耐克"), ("ＮＩＫＥ", "耐克"), ("Nіkе", "耐克"), ("N-I-K-E", "耐克"), ("耐 克", "耐克"), ("奈克", "耐克"), ("naike", "耐克"),
             ("adidas", "阿迪"), ("A.D.I.D.A.S", "阿迪"), ("adi das", "阿迪"), ("阿迪達斯", "阿迪"), ("阿❤迪达斯", "阿迪"), ("AJ1", "耐克"), ("Air Jordan", "耐克"), ("椰子350", "阿迪"), ("李宁", "李宁"), ("LI-NING", "李宁"), ("New Balance", "nb"), ("安踏", "安踏")]
slang = ["高仿", "莆田纯原", "顶级复刻版", "1:1", "超A", "A货", "原单", "公司级", "纯原版本", "真标", "原厂尾单", "过验", "精仿", "高-仿", "髙仿", "replica", "mirror quality", "aaa replica", "PK版", "细节对版"]
strong_slang = {"高仿", "莆田纯原", "顶级复刻版", "1:1", "超A", "A货", "原单", "公司级", "纯原版本", "真标", "过验", "精仿", "高-仿", "髙仿", "replica", "mirror quality", "aaa replica", "PK版", "细节对版"}
products = [("运动鞋", "运动鞋"), ("篮球鞋", "篮球鞋"), ("跑鞋 男款", "运动鞋"), ("板鞋 女", "鞋"), ("卫衣 连帽", "服装"), ("运动裤", "服装")]
for i in range(70):
    mk, _ = disguises[i % len(disguises)]
    sl = slang[(i * 7) % len(slang)]
    prod, cat = products[i % len(products)]
    price = R.choice([89, 129, 159, 199, 239, 299, 359])
    exp = ["mark", "counterfeit_term"]
    if price < 0.3 * 599 or (mk in ("NIKE","N1KE","ＮＩＫＥ","Nіkе","N-I-K-E","耐 克","奈克","naike","AJ1","Air Jordan") and price < 0.3 * 699):
        exp.append("price_anomaly")
    s = shop()
    if mk in ("NIKE","N1KE","ＮＩＫＥ","Nіkе","N-I-K-E","耐 克","奈克","naike","AJ1","Air Jordan","adidas","A.D.I.D.A.S","adi das","阿迪達斯","阿❤迪达斯","椰子350"):
        exp.append("unauthorized_seller")
    # price anomaly only for marks with reference prices
    if mk in ("李宁", "LI-NING") and price < 0.3 * 499: pass
    exp2 = [e for e in exp if e != "price_anomaly"]
    ref = {"李宁": 499, "LI-NING": 499, "New Balance": 799, "安踏": 399}.get(mk, 699 if mk in ("NIKE","N1KE","ＮＩＫＥ","Nіkе","N-I-K-E","耐 克","奈克","naike","AJ1","Air Jordan") else 599)
    if price < 0.3 * ref: exp2.append("price_anomaly")
    order = R.choice([f"{sl} {mk} {prod}", f"{mk}{prod} {sl} 正品品质", f"【{sl}】{mk} {prod} 支持验货"])
    add(order, exp2, category=cat, price=price, shop=s, note="disguised mark + slang")
# 2. luxury bags/watches
lux = [("LV", "包"), ("路易威登", "手袋"), ("L V", "老花包"), ("GUCCI", "腰带"), ("古奇", "包"), ("CHANEL", "包"), ("小香", "链条包"), ("香奈儿", "口红"), ("Hermes", "丝巾"), ("爱马仕", "包"), ("ROLEX", "手表"), ("劳力士", "腕表"), ("R0LEX", "手表"), ("Dior", "香水"), ("迪奧", "包")]
for i, (mk, prod) in enumerate(lux):
    for sl in (["高仿", "原单", "超A货"][i % 3], None):
        price = R.choice([300, 450, 880, 1200])
        exp = ["mark", "price_anomaly", "unauthorized_seller"]
        if sl: exp.append("counterfeit_term")
        add(f"{sl or ''} {mk} {prod} 女 新款".strip(), exp, category=prod, price=price, shop=shop(), note="luxury")
# 3. prohibited items
for t in ["电子烟 烟弹 口味齐全", "悦刻一代烟弹 批发", "软中华 整条 香烟 免税", "古巴雪茄 手卷", "高锰酸钾 500g 工业级", "硝酸铵 化肥 25kg", "百草枯 除草剂 原药", "甲胺磷 杀虫", "象牙 手串 老料", "穿山甲片 药材", "仿真枪 金属 可发射", "弹簧刀 户外", "窃听器 远程 手机监听", "针孔摄像头 隐蔽", "假币 高仿人民币 出售", "曲马多 无需处方", "三唑仑 快递", "犀牛角 杯", "麝香 整颗 野生", "弓弩 狩猎 大威力", "信号屏蔽器 考试", "氰化钠 99%", "电棍 防身", "代开发票 各类", "虎骨酒 泡酒料"]:
    exp = ["prohibited_item"]
    if "除草剂" in t or "杀虫" in t: exp.append("regulated_no_license")
    add(t, exp, price=R.choice([30, 80, 200]), shop=shop(), note="prohibited")
# prohibited traps
for t, c in [("雪茄剪 不锈钢 双刃", "家居"), ("象牙白 衬衫 女", "服装"), ("防偷拍检测器 酒店", "数码"), ("虎皮鹦鹉 鸟笼", "宠物"), ("汽车消音器 改装", "汽车配件"), ("玩具手枪 儿童 水弹", "玩具"), ("象牙色 陶瓷 花瓶", "家居"), ("虎皮青椒 调料包", None)]:
    add(t, [], category=c, price=50, shop=shop(), note="prohibited trap")
# 4. GI
gis = [("中宁枸杞 头茬 500g", "宁夏中卫市中宁县", "浙江省金华市义乌市"), ("西湖龙井 明前 特级", "浙江省杭州市西湖区", "福建省泉州市安溪县"), ("五常大米 稻花香 10斤", "黑龙江省哈尔滨市五常市", "江苏省宿迁市"), ("阳澄湖大闸蟹 公4两", "江苏省苏州市相城区", "安徽省宣城市"), ("赣南脐橙 10斤", "江西省赣州市", "广东省广州市"), ("库尔勒香梨 新鲜", "新疆巴音郭楞蒙古自治州库尔勒市", "河北省石家庄市"), ("烟台苹果 红富士", "山东省烟台市栖霞市", "陕西省西安市"), ("金华火腿 整只", "浙江省金华市", "浙江省杭州市"), ("安溪铁观音 浓香型", "福建省泉州市安溪县", "广东省潮州市"), ("信阳毛尖 新茶", "河南省信阳市", "湖北省武汉市"), ("章丘大葱 5斤", "山东省济南市章丘区", "河北省保定市"), ("涪陵榨菜 下饭", "重庆市涪陵区", "四川省成都市"), ("新会陈皮 十年", "广东省江门市新会区", "广西壮族自治区玉林市"), ("文山三七粉", "云南省文山壮族苗族自治州", "安徽省亳州市"), ("盱眙龙虾 鲜活", "江苏省淮安市盱眙县", "湖北省潜江市")]
for t, good, bad in gis:
    cat = "食品"
    lic = "JY13301060012345"
    add(t, [], category=cat, price=88, shop={"name": "产地直发", "license_no": lic}, ship=good, note="GI genuine origin")
    add(t, ["gi_origin"], category=cat, price=88, shop={"name": "批发铺", "license_no": lic}, ship=bad, note="GI outside origin")
    add(t, [], category=cat, price=88, shop={"name": "无地址店", "license_no": lic}, note="GI location unknown")
# 5. ad law
for t, exp in [("全网最低价 纯棉T恤", ["ad_law"]), ("国家级 匠心 手工茶具", ["ad_law"]), ("销量第一 蓝牙音箱", ["ad_law"]), ("最佳 选择 保温杯", ["ad_law"]), ("顶级 实木 餐桌", ["ad_law"]), ("极品 沉香 手串", ["ad_law"]), ("根治 脚气 喷雾 一次见效", ["ad_law"]), ("无副作用 减肥茶 躺着瘦", ["ad_law"]), ("包治百病 艾灸贴", ["ad_law"]), ("降血压 降血糖 苦荞茶", ["ad_law"]), ("药到病除 祖传秘方 膏药", ["ad_law"]), ("治愈 失眠 枕头", ["ad_law"]), ("史上最低价 洗衣液", ["ad_law"]), ("全国第一 品牌 拖把", ["ad_law"]), ("抗癌 防癌 灵芝孢子粉", ["ad_law"])]:
    add(t, exp, category="日用", price=59, shop=shop(), note="ad law")
# 6. regulated categories
for t, cat, lic, exp in [("手工牛轧糖 500g", "零食", None, ["regulated_no_license"]), ("手工牛轧糖 500g", "零食", "JY13301060012345", []), ("进口奶粉 1段", "奶粉", "JX123", ["regulated_no_license"]), ("鱼油软胶囊 保健品", "保健食品", None, ["regulated_no_license"]), ("布洛芬缓释胶囊", "药品", None, ["regulated_no_license"]), ("电子血压计 家用", "医疗器械", None, ["regulated_no_license"]), ("电子血压计 家用", "医疗器械", "浙杭药监械经营备20230001号", []), ("草甘膦 除草剂 10L", "农药", None, ["regulated_no_license"]), ("吡虫啉 杀虫剂", "农药", "农药经许(浙)33010820001", []), ("日抛 美瞳 10片", "隐形眼镜", None, ["regulated_no_license"]), ("坚果礼盒 1.5kg", "坚果", "JY13301060012345", []), ("蜂蜜 土蜂蜜 农家", "蜂蜜", "", ["regulated_no_license"]), ("普通 T恤 纯棉", "服装", None, []), ("猫砂 豆腐", "宠物", None, [])]:
    s = {"name": "小店"}
    if lic is not None: s["license_no"] = lic
    add(t, exp, category=cat, price=39, shop=s, note="regulated")
# 7. descriptive use (honest accessories)
for t, cat in [("适用于苹果iPhone15手机壳 硅胶", "手机配件"), ("适用华为Mate60钢化膜", "手机配件"), ("兼容 AirPods Pro 保护套", "数码配件"), ("iPhone 专用 充电器 20W", "数码配件"), ("for Apple Watch 表带 尼龙", "数码配件"), ("适配小米手环8 腕带", "数码配件"), ("戴森吹风机 适用 收纳架", "家居"), ("适用于 Nike 鞋带 替换", "鞋配件"), ("小米扫地机 通用 滤网", "家电配件"), ("compatible with iPad 键盘", "数码配件"), ("三星 Galaxy 适用 数据线", "数码配件"), ("适用于索尼 PS5 手柄 硅胶套", "游戏配件")]:
    add(t, ["mark", "descriptive_use"], category=cat, price=29, shop=shop(), note="descriptive use")
# 8. traps: fruit, grain, great wall, reissue, genuine
for t, cat in [("新鲜苹果 红富士 5斤", "水果"), ("苹果 脆甜 冰糖心", "水果"), ("东北小米 黄小米 新米 5斤", "粮油"), ("小米粥 月子米", "粮油"), ("长城一日游 八达岭 含门票", "旅游"), ("慕田峪长城 门票", "旅游"), ("复刻 搪瓷杯 怀旧 老式", "杯子"), ("复刻版 老式 铁皮青蛙 玩具", "玩具"), ("苹果醋 饮料", "饮料"), ("苹果木 烧烤炭", "户外")]:
    exp = []
    if "复刻" in t: exp = ["counterfeit_term"]
    if cat in ("粮油", "饮料") : exp.append("regulated_no_license")
    add(t, exp, category=cat, price=25, shop={"name": "农家小店"}, note="trap")
for t, cat, sh, price in [("Nike Air Max 90 男子运动鞋", "运动鞋", {"id": "nike-official", "name": "耐克官方旗舰店"}, 899), ("adidas 三叶草 Superstar 板鞋", "鞋", {"id": "adidas-official", "name": "阿迪达斯官方旗舰店"}, 599), ("Apple iPhone 15 Pro 256G", "手机", {"id": "apple-official", "name": "Apple Store 官方旗舰店"}, 7999), ("华为 Mate 60 Pro 手机", "手机", {"id": "huawei-official", "name": "华为官方旗舰店"}, 6499), ("小米14 手机 徕卡", "手机", {"id": "xiaomi-official", "name": "小米官方旗舰店"}, 3999), ("贵州茅台 飞天 53度 500ml", "白酒", {"id": "moutai-official", "name": "贵州茅台官方旗舰店", "license_no": "JY15201000012345"}, 2999), ("乐高 LEGO 机械组 42115", "积木", {"id": "lego-official", "name": "乐高官方店"}, 2999), ("优衣库 UNIQLO 圆领T恤", "服装", {"id": "uniqlo-official", "name": "优衣库官方旗舰店"}, 79), ("戴森 Dyson 吹风机 HD15", "吹风机", {"id": "dyson-official", "name": "戴森官方旗舰店"}, 3199)]:
    for k in range(3):
        add(t + ["", " 正品", " 官方"][k], [], category=cat, price=price, shop=sh, note="genuine authorized")
# 9. mark in a reseller shop at a normal price (recorded, low)
for t, cat, price, exp in [("Nike Air Force 1 空军一号 白色", "运动鞋", 749, ["mark", "unauthorized_seller"]), ("华为 FreeBuds 耳机", "耳机", 899, ["mark", "unauthorized_seller"]), ("索尼 WH-1000XM5 耳机", "耳机", 2299, ["mark"]), ("三星 T7 固态硬盘 1T", "固态硬盘", 699, ["mark"]), ("北面 TNF 冲锋衣", "冲锋衣", 1899, ["mark"]), ("加拿大鹅 羽绒服 远征", "羽绒服", 8999, ["mark"]), ("周大福 黄金 手镯", "黄金", 5999, ["mark"]), ("老干妈 风味豆豉 280g", "调味品", 12, ["mark", "regulated_no_license"])]:
    add(t, exp, category=cat, price=price, shop={"name": "二手好物"}, note="reseller normal price")
# 10. lone weak or medium terms, no mark
for t, exp in [("明星同款 连衣裙", ["counterfeit_term"]), ("海外代购 保温杯", ["counterfeit_term"]), ("外贸尾单 衬衫 男", ["counterfeit_term"]), ("工厂货 帆布包", ["counterfeit_term"]), ("大牌平替 香水 小众", ["counterfeit_term"]), ("高仿 手表 男士 机械", ["counterfeit_term"]), ("原单 女包 真皮", ["counterfeit_term"]), ("纯棉 T恤 白色 基础款", []), ("实木 书架 简约", []), ("儿童 书包 护脊", []), ("不锈钢 保温杯 大容量", []), ("蓝牙耳机 降噪 运动", []), ("华强北 耳机 高仿 air", ["counterfeit_term"])]:
    add(t, exp, category="百货", price=99, shop=shop(), note="no mark")
# 11. other marks with homophones / pinyin / marks where category fits from text
for t, cat, price, exp in [("爱玛仕 丝巾 真丝", "丝巾", 299, ["mark", "price_anomaly", "unauthorized_seller"]), ("茅苔 飞天 53度 高仿", "白酒", 399, ["mark", "counterfeit_term", "price_anomaly", "unauthorized_seller", "regulated_no_license"]), ("五粮液 原厂 酒 1:1", "白酒", 199, ["mark", "counterfeit_term", "price_anomaly", "regulated_no_license"]), ("gucci 腰带 复刻", "腰带", 199, ["mark", "counterfeit_term", "price_anomaly", "unauthorized_seller"]), ("SK-II 神仙水 原厂尾单", "护肤", 199, ["mark", "counterfeit_term", "price_anomaly"]), ("兰蔻 小黑瓶 精华 工厂货", "护肤", 99, ["mark", "counterfeit_term", "price_anomaly"]), ("戴森 吹风机 高仿 一比一", "吹风机", 299, ["mark", "counterfeit_term", "price_anomaly", "unauthorized_seller"]), ("乐高 积木 高仿 兼容", "积木", 99, ["mark", "counterfeit_term", "unauthorized_seller"]), ("Switch 游戏机 破解版 高仿", "游戏机", 499, ["mark", "counterfeit_term", "price_anomaly"]), ("AirPods Pro 华强北 1:1 顶配", "耳机", 199, ["mark", "counterfeit_term", "price_anomaly", "unauthorized_seller"])]:
    add(t, exp, category=cat, price=price, shop=shop(), note="more marks")
# 12. descriptions carrying the signal
for i in range(20):
    t = R.choice(["男士 运动鞋 透气 跑步", "女士 手提包 大容量", "休闲 卫衣 宽松"])
    cat = {"男": "运动鞋", "女": "包", "休": "服装"}[t[0]]
    d = R.choice(["私聊看实拍 懂的来 莆田纯原", "和正品一样 专柜原单 可过验", "普通面料 舒适透气 质量好"])
    exp = [] if d.startswith("普通") else ["counterfeit_term"]
    add(t, exp, category=cat, price=159, desc=d, shop=shop(), note="signal in description")
# ---- issue 14: registry scale (cases written from the issue, before tuning) ----
lic = "JY13301060012345"
# 13. one word, many owners: the owner whose classes or categories fit is the mark
for t, cat, price, exp in [("长城干红葡萄酒 750ml 高仿", "葡萄酒", 29, ["mark", "counterfeit_term", "price_anomaly"]), ("长城 笔记本电脑 14寸 办公", "电脑", 3299, ["mark"]), ("长城哈弗 汽车脚垫 全包围", "汽车用品", 199, ["mark", "unauthorized_seller"]), ("長城 干紅 葡萄酒 原厂品质", "红酒", 39, ["mark", "counterfeit_term", "price_anomaly"]), ("长城 台式机 主机 i5", "电脑", 2599, ["mark"])]:
    add(t, exp, category=cat, price=price, shop={"name": "酒水数码汇", "license_no": lic}, note="one word many owners")
# 14. sound-alikes that are ordinary words are no marks (and bring no price anomaly)
for t, cat in [("益智玩具 积木 儿童 3-6岁", "玩具"), ("儿童益智 拼图 早教", "玩具"), ("时尚 连衣裙 女 夏季", "服装"), ("新款时尚 卫衣 宽松", "服装"), ("精品 手链 女 纯银", "首饰"), ("新款 双肩包 大容量", "箱包"), ("正品 益智 魔方 三阶", "玩具")]:
    add(t, [], category=cat, price=19, shop=shop(), note="ordinary word sound-alike", level="none")
# a sound-alike that is no ordinary word, of a mark that is not well known, counts with a second signal
for t, cat, price, exp, lv in [("高仿 安塔 运动鞋 男", "运动鞋", 159, ["mark", "counterfeit_term"], "medium"), ("安塔 跑鞋 透气", "运动鞋", 59, ["mark", "price_anomaly"], "medium"), ("安塔 跑鞋 透气 新款", "运动鞋", 299, ["mark"], "low")]:
    add(t, exp, category=cat, price=price, shop=shop(), note="sound-alike of a short mark", level=lv)
# 15. overlapping marks: the famous mark is not shadowed
for t, cat, price in [("贵州 茅 台 镇 酱香 白酒 高仿 53度", "白酒", 299), ("茅 台 镇 酱香型 1:1 原浆", "白酒", 199), ("茅台镇 飞天 53度 高仿 酱香", "白酒", 399)]:
    add(t, ["mark", "counterfeit_term", "price_anomaly", "unauthorized_seller"], category=cat, price=price, shop={"name": "酒水批发", "license_no": lic}, note="overlapping marks", level="high")
# 16. weak euphemisms next to a mark say fake
for t, cat, price, exp in [("耐克 尾单 运动鞋 男", "运动鞋", 399, ["mark", "counterfeit_term", "unauthorized_seller"]), ("香奈儿 口红 原厂品质", "口红", 2999, ["mark", "counterfeit_term", "unauthorized_seller"]), ("阿迪达斯 公司货 板鞋", "鞋", 499, ["mark", "counterfeit_term", "unauthorized_seller"]), ("劳力士 同厂 机械表 男", "手表", 19999, ["mark", "counterfeit_term", "unauthorized_seller"]), ("GUCCI 腰带 原厂尾单", "腰带", 2999, ["mark", "counterfeit_term", "unauthorized_seller"]), ("Dior 香水 同厂出品 100ml", "香水", 1999, ["mark", "counterfeit_term", "unauthorized_seller"])]:
    add(t, exp, category=cat, price=price, shop={"name": "品牌折扣店"}, note="mark + euphemism", level="high")
for t in ["外贸尾单 纯棉 T恤", "原厂品质 数据线 1米"]:
    add(t, ["counterfeit_term"], category="百货", price=29, shop={"name": "杂货铺"}, note="lone euphemism", level="low")
# 17. advertising law article 9(2): state organs and their staff
for t, cat in [("国家领导人推荐 红茶 礼盒", "茶具"), ("军队特供 酱香 白酒 53度", "酒具"), ("中南海特供 香烟盒 收藏", "收藏"), ("国家机关专供 大米 5kg", "家居"), ("人民大会堂特供 瓷器 茶杯", "茶具"), ("部队特供 军用 水壶", "户外")]:
    add(t, ["ad_law"], category=cat, price=199, shop={"name": "特产店"}, note="ad law 9(2)", level="high")
# 18. a GI shipped from the prefecture (or province) that contains the origin: not confirmed, low
for t, ship in [("五常大米 稻花香 10斤", "黑龙江省哈尔滨市"), ("中宁枸杞 头茬 500g", "宁夏中卫市"), ("安溪铁观音 浓香型", "福建省泉州市"), ("盱眙龙虾 鲜活", "江苏省")]:
    add(t, ["gi_origin"], category="食品", price=88, shop={"name": "产地特产", "license_no": lic}, ship=ship, note="GI origin not confirmed", level="low")
# 19. price only against the mark the listing is about
for t, cat, exp in [("茅台 主题 纪念 马克杯", "杯子", ["mark", "unauthorized_seller"]), ("劳力士 图案 抱枕 靠垫", "家居", ["mark", "unauthorized_seller"])]:
    add(t, exp, category=cat, price=15, shop={"name": "杯具百货"}, note="well-known mark on other goods", level="low")
for d in R.sample(out, 0):
    pass
with open("labelled.jsonl", "w") as f:
    for d in out:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(len(out))
