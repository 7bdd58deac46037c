"""Name material for synthetic people, in the original script and in Latin script.

Written for Readmit (common names, no real person meant). Each entry is (original, Latin):
the Latin form is the one a passport of that state shows (ICAO Doc 9303 romanisation for
Cyrillic, the national systems for Georgian and Armenian, the usual English spelling for
Urdu). Where the original script is Latin, the original keeps its diacritics and the Latin
form is the machine-readable one without them.
"""

# ruff: noqa: RUF001 - names in their own scripts, homoglyphs included
from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[str, str]


@dataclass(frozen=True)
class NameSet:
    script: str  # ISO 15924
    surnames: tuple[Pair, ...]
    male: tuple[Pair, ...]
    female: tuple[Pair, ...]
    # Surnames with a feminine form (Slavic -ov/-ova, Azerbaijani -ov/-ova): (masc, fem) Latin.
    feminine: bool = False
    places: tuple[str, ...] = ()


def _fem(pair: Pair, script: str) -> Pair:
    """The feminine form of a Slavic or Azerbaijani surname ending in -ov/-ev/-in/-ski."""
    original, latin = pair
    if script == "Cyrl":
        for masc, fem, lmasc, lfem in (
            ("ский", "ская", "skii", "skaia"),
            ("ов", "ова", "ov", "ova"),
            ("ев", "ева", "ev", "eva"),
            ("ин", "ина", "in", "ina"),
        ):
            if original.endswith(masc) and latin.endswith(lmasc):
                return original[: -len(masc)] + fem, latin[: -len(lmasc)] + lfem
    elif original.endswith(("ov", "ev")):
        return original + "a", latin + "a"
    return pair


AZ = NameSet(
    "Latn",
    (("Məmmədov", "Mammadov"), ("Əliyev", "Aliyev"), ("Hüseynov", "Huseynov"),
     ("Həsənov", "Hasanov"), ("Quliyev", "Guliyev"), ("İsmayılov", "Ismayilov"),
     ("Abbasov", "Abbasov"), ("Cəfərov", "Jafarov"), ("Rəhimov", "Rahimov"), ("Səfərov", "Safarov")),
    (("Elçin", "Elchin"), ("Tural", "Tural"), ("Rəşad", "Rashad"), ("Orxan", "Orkhan"),
     ("Elvin", "Elvin"), ("Fərid", "Farid"), ("Murad", "Murad"), ("Kamran", "Kamran")),
    (("Aysel", "Aysel"), ("Leyla", "Leyla"), ("Günay", "Gunay"), ("Nigar", "Nigar"),
     ("Səbinə", "Sabina"), ("Aygün", "Aygun"), ("Nərmin", "Narmin")),
    feminine=True,
    places=("Baku", "Ganja", "Sumqayit", "Mingachevir", "Lankaran", "Shaki"),
)  # fmt: skip

GE = NameSet(
    "Geor",
    (("ბერიძე", "Beridze"), ("კაპანაძე", "Kapanadze"), ("გელაშვილი", "Gelashvili"),
     ("მაისურაძე", "Maisuradze"), ("ლომიძე", "Lomidze"), ("წიკლაური", "Tsiklauri"),
     ("ხუციშვილი", "Khutsishvili"), ("ნოზაძე", "Nozadze"), ("გიორგაძე", "Giorgadze")),
    (("გიორგი", "Giorgi"), ("დავით", "Davit"), ("ნიკა", "Nika"), ("ლევან", "Levan"),
     ("ირაკლი", "Irakli"), ("ზურაბ", "Zurab"), ("ლაშა", "Lasha")),
    (("ნინო", "Nino"), ("მარიამ", "Mariam"), ("თამარ", "Tamar"), ("ანა", "Ana"),
     ("ეკატერინე", "Ekaterine"), ("სალომე", "Salome")),
    places=("Tbilisi", "Kutaisi", "Batumi", "Rustavi", "Zugdidi", "Gori"),
)  # fmt: skip

RU = NameSet(
    "Cyrl",
    (("Иванов", "Ivanov"), ("Смирнов", "Smirnov"), ("Кузнецов", "Kuznetsov"), ("Попов", "Popov"),
     ("Соколов", "Sokolov"), ("Лебедев", "Lebedev"), ("Козлов", "Kozlov"), ("Новиков", "Novikov"),
     ("Морозов", "Morozov"), ("Волков", "Volkov"), ("Ильин", "Ilin")),
    (("Александр", "Aleksandr"), ("Дмитрий", "Dmitrii"), ("Сергей", "Sergei"),
     ("Андрей", "Andrei"), ("Алексей", "Aleksei"), ("Максим", "Maksim"), ("Юрий", "Iurii")),
    (("Елена", "Elena"), ("Ольга", "Olga"), ("Наталья", "Natalia"), ("Анна", "Anna"),
     ("Татьяна", "Tatiana"), ("Юлия", "Iuliia"), ("Мария", "Mariia")),
    feminine=True,
    places=("Moskva", "Sankt-Peterburg", "Kazan", "Groznyi", "Makhachkala", "Novosibirsk"),
)  # fmt: skip

UA = NameSet(
    "Cyrl",
    (("Шевченко", "Shevchenko"), ("Коваленко", "Kovalenko"), ("Бондаренко", "Bondarenko"),
     ("Ткаченко", "Tkachenko"), ("Кравченко", "Kravchenko"), ("Олійник", "Oliinyk"),
     ("Мельник", "Melnyk"), ("Поліщук", "Polishchuk")),
    (("Олександр", "Oleksandr"), ("Андрій", "Andrii"), ("Сергій", "Serhii"),
     ("Володимир", "Volodymyr"), ("Тарас", "Taras"), ("Богдан", "Bohdan")),
    (("Олена", "Olena"), ("Ірина", "Iryna"), ("Оксана", "Oksana"), ("Наталія", "Nataliia"),
     ("Юлія", "Yuliia"), ("Тетяна", "Tetiana")),
    places=("Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Zaporizhzhia"),
)  # fmt: skip

BY = NameSet(
    "Cyrl",
    (("Лукашевич", "Lukashevich"), ("Козлов", "Kozlov"), ("Новик", "Novik"),
     ("Ковалёв", "Kovalev"), ("Шевчук", "Shevchuk"), ("Петров", "Petrov")),
    (("Алексей", "Aleksei"), ("Павел", "Pavel"), ("Виктор", "Viktor"), ("Артём", "Artem")),
    (("Анастасия", "Anastasiia"), ("Ирина", "Irina"), ("Светлана", "Svetlana"), ("Ольга", "Olga")),
    feminine=True,
    places=("Minsk", "Gomel", "Brest", "Grodno", "Vitebsk"),
)  # fmt: skip

RS = NameSet(
    "Cyrl",
    (("Јовановић", "Jovanović"), ("Петровић", "Petrović"), ("Николић", "Nikolić"),
     ("Марковић", "Marković"), ("Ђорђевић", "Đorđević"), ("Стојановић", "Stojanović"),
     ("Илић", "Ilić"), ("Станковић", "Stanković"), ("Павловић", "Pavlović")),
    (("Никола", "Nikola"), ("Марко", "Marko"), ("Стефан", "Stefan"), ("Душан", "Dušan"),
     ("Милош", "Miloš"), ("Лазар", "Lazar")),
    (("Јелена", "Jelena"), ("Милица", "Milica"), ("Ана", "Ana"), ("Драгана", "Dragana"),
     ("Марија", "Marija"), ("Тијана", "Tijana")),
    places=("Beograd", "Novi Sad", "Niš", "Kragujevac", "Subotica", "Novi Pazar"),
)  # fmt: skip

MK = NameSet(
    "Cyrl",
    (("Стојановски", "Stojanovski"), ("Николовски", "Nikolovski"), ("Трајковски", "Trajkovski"),
     ("Петровски", "Petrovski"), ("Јовановски", "Jovanovski"), ("Илиевски", "Ilievski")),
    (("Александар", "Aleksandar"), ("Горан", "Goran"), ("Дејан", "Dejan"), ("Игор", "Igor")),
    (("Елена", "Elena"), ("Марија", "Marija"), ("Билјана", "Biljana"), ("Катерина", "Katerina")),
    places=("Skopje", "Bitola", "Kumanovo", "Tetovo", "Ohrid"),
)  # fmt: skip

AM = NameSet(
    "Armn",
    (("Հովհաննիսյան", "Hovhannisyan"), ("Գրիգորյան", "Grigoryan"), ("Սարգսյան", "Sargsyan"),
     ("Պետրոսյան", "Petrosyan"), ("Հարությունյան", "Harutyunyan"), ("Խաչատրյան", "Khachatryan")),
    (("Արամ", "Aram"), ("Դավիթ", "Davit"), ("Նարեկ", "Narek"), ("Տիգրան", "Tigran"),
     ("Արմեն", "Armen")),
    (("Անի", "Ani"), ("Մարիամ", "Mariam"), ("Լիլիթ", "Lilit"), ("Աննա", "Anna")),
    places=("Yerevan", "Gyumri", "Vanadzor", "Abovyan"),
)  # fmt: skip

PK = NameSet(
    "Arab",
    (("خان", "Khan"), ("قریشی", "Qureshi"), ("رضا", "Raza"), ("بٹ", "Butt"),
     ("چوہدری", "Chaudhry"), ("ملک", "Malik"), ("شیخ", "Sheikh"), ("اعوان", "Awan"),
     ("حسین", "Hussain")),
    (("محمد", "Muhammad"), ("احمد", "Ahmed"), ("علی", "Ali"), ("حسن", "Hassan"),
     ("عمران", "Imran"), ("بلال", "Bilal"), ("عثمان", "Usman"), ("فیصل", "Faisal")),
    (("عائشہ", "Ayesha"), ("فاطمہ", "Fatima"), ("زینب", "Zainab"), ("مریم", "Maryam"),
     ("صائمہ", "Saima")),
    places=("Lahore", "Karachi", "Gujrat", "Sialkot", "Rawalpindi", "Peshawar", "Mirpur"),
)  # fmt: skip

LK = NameSet(
    "Sinh",
    (("පෙරේරා", "Perera"), ("සිල්වා", "Silva"), ("ප්‍රනාන්දු", "Fernando")),
    (("කසුන්", "Kasun"), ("නුවන්", "Nuwan"), ("සුනිල්", "Sunil")),
    (("චමිලා", "Chamila"), ("නිලූකා", "Niluka")),
    places=("Colombo", "Kandy", "Jaffna", "Negombo", "Galle"),
)  # fmt: skip

TR = NameSet(
    "Latn",
    (("Yılmaz", "Yilmaz"), ("Kaya", "Kaya"), ("Demir", "Demir"), ("Şahin", "Sahin"),
     ("Çelik", "Celik"), ("Yıldız", "Yildiz"), ("Öztürk", "Ozturk"), ("Aydın", "Aydin")),
    (("Mehmet", "Mehmet"), ("Mustafa", "Mustafa"), ("Ahmet", "Ahmet"), ("Emre", "Emre"),
     ("Hüseyin", "Huseyin"), ("İbrahim", "Ibrahim")),
    (("Ayşe", "Ayse"), ("Fatma", "Fatma"), ("Zeynep", "Zeynep"), ("Elif", "Elif"),
     ("Emine", "Emine")),
    places=("İstanbul", "Ankara", "İzmir", "Konya", "Diyarbakır", "Kayseri"),
)  # fmt: skip

AL = NameSet(
    "Latn",
    (("Hoxha", "Hoxha"), ("Shehu", "Shehu"), ("Dervishi", "Dervishi"), ("Gjoka", "Gjoka"),
     ("Çela", "Cela"), ("Leka", "Leka"), ("Krasniqi", "Krasniqi")),
    (("Arben", "Arben"), ("Ermal", "Ermal"), ("Klodian", "Klodian"), ("Besnik", "Besnik"),
     ("Gëzim", "Gezim")),
    (("Elira", "Elira"), ("Anila", "Anila"), ("Blerta", "Blerta"), ("Jonida", "Jonida")),
    places=("Tiranë", "Durrës", "Shkodër", "Elbasan", "Vlorë"),
)  # fmt: skip

BA = NameSet(
    "Latn",
    (("Hodžić", "Hodzic"), ("Hadžić", "Hadzic"), ("Delić", "Delic"), ("Kovačević", "Kovacevic"),
     ("Begić", "Begic"), ("Mehmedović", "Mehmedovic")),
    (("Emir", "Emir"), ("Adnan", "Adnan"), ("Haris", "Haris"), ("Nedim", "Nedim")),
    (("Amra", "Amra"), ("Lejla", "Lejla"), ("Selma", "Selma"), ("Emina", "Emina")),
    places=("Sarajevo", "Tuzla", "Zenica", "Bihać", "Mostar"),
)  # fmt: skip

ME = NameSet(
    "Latn",
    (("Popović", "Popovic"), ("Vujović", "Vujovic"), ("Radulović", "Radulovic"),
     ("Đukanović", "Djukanovic"), ("Bulatović", "Bulatovic")),
    (("Nikola", "Nikola"), ("Vuk", "Vuk"), ("Luka", "Luka"), ("Filip", "Filip")),
    (("Milena", "Milena"), ("Sanja", "Sanja"), ("Ivana", "Ivana")),
    places=("Podgorica", "Nikšić", "Bar", "Rožaje"),
)  # fmt: skip

MD = NameSet(
    "Latn",
    (("Rusu", "Rusu"), ("Ciobanu", "Ciobanu"), ("Ceban", "Ceban"), ("Țurcanu", "Turcanu"),
     ("Lungu", "Lungu"), ("Munteanu", "Munteanu")),
    (("Ion", "Ion"), ("Vasile", "Vasile"), ("Andrei", "Andrei"), ("Sergiu", "Sergiu")),
    (("Maria", "Maria"), ("Elena", "Elena"), ("Natalia", "Natalia"), ("Ana", "Ana")),
    places=("Chișinău", "Bălți", "Cahul", "Orhei"),
)  # fmt: skip

BY_NATIONALITY: dict[str, NameSet] = {
    "AZ": AZ, "GE": GE, "RU": RU, "UA": UA, "BY": BY, "RS": RS, "MK": MK, "AM": AM,
    "PK": PK, "LK": LK, "TR": TR, "AL": AL, "BA": BA, "ME": ME, "MD": MD,
}  # fmt: skip


def surname_for(names: NameSet, pair: Pair, sex: str) -> Pair:
    return _fem(pair, names.script) if sex == "F" and names.feminine else pair
