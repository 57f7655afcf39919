BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB BBBB
BBBBB BBBBBBBBBB gettext(u'Petition scheme') BBBBBBBB
BBBBB BBBBBBBBBBBBBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB
BBBBB BBBBBBBBBBBBBBB
BBBBB BBBBBBB gettext(u'Petition scheme') BBBBBBBB
BBBBB BBBBB
BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB BBBB BBBBBBBBBBBBBBBB
XX XXXXXXXXXXXXXXXXXXX gettext(u"The council's own rules for petitions: who may sign, what must happen before a petition is published, how long it stays open, and what the council owes it at each number of signatures. Changes apply from now on; obligations already created keep their deadlines.") XXXX
BBBBBBBB
BBBBB BBBBBB gettext(u'Save the scheme') BBBBBBBB
BBBBB BBBBBBB BBBBBBBBBBBBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBBBBB
