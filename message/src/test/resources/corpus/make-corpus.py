import base64, quopri
def crlf(s): return s.replace('\r\n','\n').replace('\n','\r\n')
def w(name, data, eol='crlf'):
    if isinstance(data,str):
        data = data.encode('latin-1') if all(ord(c)<256 for c in data) else data.encode('utf-8')
    if eol=='crlf':
        data = data.replace(b'\r\n',b'\n').replace(b'\n',b'\r\n')
    open(name,'wb').write(data)
def b64(b): 
    s=base64.b64encode(b).decode()
    return '\n'.join(s[i:i+76] for i in range(0,len(s),76))
def ew(text, cs, enc='B'):
    b=text.encode(cs)
    if enc=='B': return '=?%s?B?%s?=' % (cs, base64.b64encode(b).decode())
    q=''.join(chr(c) if (48<=c<=57 or 65<=c<=90 or 97<=c<=122) else '=%02X'%c for c in b)
    return '=?%s?Q?%s?=' % (cs, q)
H = "From: Alice Example <alice@example.com>\nTo: Bob Example <bob@example.org>\nDate: Tue, 01 Dec 2026 10:00:00 +0900\nMessage-ID: <%s@example.com>\nMIME-Version: 1.0\n"
JA = "こんにちは、世界。テスト用のメッセージです。"
w('01-plain-ascii.eml', H % 'm01' + "Subject: Plain text\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\nHello Bob,\n\nThis is a plain message.\n-- \nAlice\n")
w('02-alternative-qp.eml', H % 'm02' + """Subject: Alternative
Content-Type: multipart/alternative; boundary="alt-1"

--alt-1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 at noon? The menu is long, so this line is soft-broken here and =
continues on the next line.
--alt-1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><body><p>Caf=C3=A9 at <b>noon</b>?</p></body></html>
--alt-1--
""")
png = bytes(range(256))*3
w('03-related-inline.eml', H % 'm03' + """Subject: Related with inline image
Content-Type: multipart/related; boundary="rel"; type="multipart/alternative"

--rel
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=us-ascii

See the picture.
--alt
Content-Type: text/html; charset=us-ascii

<p>See the picture: <img src="cid:pic1@example.com"></p>
--alt--

--rel
Content-Type: image/png; name="pic.png"
Content-Transfer-Encoding: base64
Content-ID: <pic1@example.com>
Content-Disposition: inline; filename="pic.png"

""" + b64(png) + """
--rel--
""")
w('04-mixed-attachment.eml', H % 'm04' + """Subject: Report attached
Content-Type: multipart/mixed; boundary="----=_Part_4"

This is a multi-part message in MIME format.

------=_Part_4
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: 8bit

R\xe9sum\xe9 attached.

------=_Part_4
Content-Type: application/pdf; name="report.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="report.pdf"

""" + b64(b"%PDF-1.4\n% fake pdf for a test\n" + bytes(range(200))) + """
------=_Part_4--
""")
inner = """From: Carol Example <carol@example.net>
To: Alice Example <alice@example.com>
Subject: Original message
Date: Mon, 30 Nov 2026 09:00:00 +0000
Content-Type: multipart/alternative; boundary="inner-alt"

--inner-alt
Content-Type: text/plain; charset=utf-8

The original text.
--inner-alt
Content-Type: text/html; charset=utf-8

<p>The original text.</p>
--inner-alt--
"""
w('05-nested-rfc822.eml', H % 'm05' + """Subject: Fwd: Original message
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain; charset=us-ascii

Forwarding this.

--outer
Content-Type: message/rfc822
Content-Disposition: inline

""" + inner + """
--outer--
""")
w('06-missing-final-boundary.eml', H % 'm06' + """Subject: Truncated multipart
Content-Type: multipart/mixed; boundary="cut"

--cut
Content-Type: text/plain; charset=us-ascii

First part.
--cut
Content-Type: text/plain; charset=us-ascii

Second part, and the message ends without a close delimiter.
""")
w('07-rfc2231-charset.eml', H % 'm07' + """Subject: RFC 2231 file names
Content-Type: multipart/mixed; boundary="b2231"

--b2231
Content-Type: text/plain; charset=us-ascii

Two attachments with encoded names.
--b2231
Content-Type: application/octet-stream; name*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.txt
Content-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.txt
Content-Transfer-Encoding: base64

""" + b64(b"quote\n") + """
--b2231
Content-Type: application/octet-stream;
 name*0*=ISO-8859-1'fr'r%E9sum;
 name*1*=%E9.txt
Content-Disposition: attachment;
 filename*0*=ISO-8859-1'fr'r%E9sum;
 filename*1*=%E9.txt
Content-Transfer-Encoding: base64

""" + b64(b"cv\n") + """
--b2231--
""")
w('08-rfc2231-continuations.eml', H % 'm08' + """Subject: Long parameter
Content-Type: application/x-stuff;
 title*0="This is even more ";
 title*1="***fun*** ";
 title*2="isn't it!"
Content-Transfer-Encoding: base64

""" + b64(b"stuff\n") + "\n")
w('09-iso-2022-jp.eml', (H % 'm09' + "Subject: " + ew("会議のお知らせ","iso-2022-jp") + "\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n").encode() + (JA+"\n明日の会議は十時からです。\n").encode('iso-2022-jp'))
w('10-shift-jis.eml', (H % 'm10' + "Subject: " + ew("見積書の件","shift_jis") + "\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit\n\n").encode() + (JA+"\n①　丸数字も入ります。\n").encode('cp932'))
w('11-euc-jp-base64.eml', (H % 'm11' + "Subject: " + ew("ご注文","euc-jp",'Q') + "\nContent-Type: text/plain; charset=EUC-JP\nContent-Transfer-Encoding: base64\n\n" + b64((JA+"\nご注文ありがとうございます。\n").encode('euc-jp')) + "\n").encode())
w('12-8bit-headers-utf8.eml', ("From: 山田 太郎 <taro@example.jp>\nTo: Bob Example <bob@example.org>\nSubject: 日本語の件名 – naïve\nDate: Tue, 01 Dec 2026 10:00:00 +0900\nMessage-ID: <m12@example.jp>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n本文です。\n").encode())
w('13-bare-lf.eml', H % 'm13' + """Subject: Bare line feeds
Content-Type: multipart/mixed; boundary="lf"

--lf
Content-Type: text/plain; charset=us-ascii

Lines end with LF only.
--lf
Content-Type: text/plain; charset=us-ascii

Second part.
--lf--
""", eol='lf')
deep = "Content-Type: text/plain; charset=us-ascii\n\nDeepest text.\n"
for level in range(6, 0, -1):
    deep = 'Content-Type: multipart/mixed; boundary="d%d"\n\n--d%d\n%s--d%d--\n' % (level, level, deep, level)
w('14-deep-nesting.eml', H % 'm14' + "Subject: Deep nesting\n" + deep)
w('15-digest.eml', H % 'm15' + """Subject: Digest
Content-Type: multipart/digest; boundary="dig"

--dig

From: one@example.com
Subject: First

First message.
--dig

From: two@example.com
Subject: Second

Second message.
--dig--
""")
w('16-latin1-qp.eml', H % 'm16' + "Subject: " + ew("Réunion à Genève","iso-8859-1",'Q') + """
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

R=E9union =E0 Gen=E8ve, caf=E9 cr=E8me.
""")
w('17-undeclared-8bit-utf8.eml', (H % 'm17' + "Subject: No charset\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n").encode() + "Ünïcödé text without a charset: 日本語\n".encode('utf-8'))
w('18-undeclared-iso-2022-jp.eml', (H % 'm18' + "Subject: No charset, JIS\n\n").encode() + (JA+"\n").encode('iso-2022-jp'))
w('19-preamble-epilogue-padding.eml', H % 'm19' + """Subject: Preamble and epilogue
Content-Type: multipart/mixed; boundary=simple

This is the preamble.  It is to be ignored.
--simple   
Content-Type: text/plain; charset=us-ascii

Boundary line above has transport padding.
--simple
Content-Type: text/plain; charset=us-ascii

Second part.

--simple--  
This is the epilogue.  It is also to be ignored.
""")
w('20-empty-multipart.eml', H % 'm20' + """Subject: Empty multipart
Content-Type: multipart/mixed; boundary="none"

--none--
""")
w('21-boundary-prefix.eml', H % 'm21' + """Subject: Boundary that is a prefix of another
Content-Type: multipart/mixed; boundary="=_a"

--=_a
Content-Type: multipart/alternative; boundary="=_a_b"

--=_a_b
Content-Type: text/plain; charset=us-ascii

Inner text.
--=_a_b--

--=_a
Content-Type: text/plain; charset=us-ascii

Outer text.
--=_a--
""")
w('22-header-only.eml', H % 'm22' + "Subject: Only a header, no empty line")
w('23-delivery-report.eml', """From: Mail Delivery System <MAILER-DAEMON@example.org>
To: alice@example.com
Subject: Undelivered Mail Returned to Sender
Date: Tue, 01 Dec 2026 10:05:00 +0900
Message-ID: <m23@example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="rpt"

--rpt
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--rpt
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; nobody@example.org
Action: failed
Status: 5.1.1

--rpt
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Alice Example <alice@example.com>
To: nobody@example.org
Subject: Hello

--rpt--
""")
w('24-signed.eml', H % 'm24' + """Subject: Signed
Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="sig"

--sig
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Signed text.
--sig
Content-Type: application/pgp-signature; name="signature.asc"

-----BEGIN PGP SIGNATURE-----
iQEzBAEBCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmZ0ZXN0AAoJEAAAAAAA
=abcd
-----END PGP SIGNATURE-----
--sig--
""")
w('25-mixed-encoded-words.eml', H % 'm25' + "Subject: " + ew("Grüße","utf-8",'Q') + " " + ew("aus Köln","utf-8") + " and ASCII\nCc: " + ew("Zoë Example","utf-8",'Q') + " <zoe@example.de>\nContent-Type: text/plain; charset=utf-8\n\nHallo.\n")
w('26-html-only-windows1252.eml', H % 'm26' + """Subject: HTML only
Content-Type: text/html; charset=windows-1252
Content-Transfer-Encoding: quoted-printable

<html><head><style>p {color: red}</style></head><body><p>=93Quoted=94 &amp; =E9l=E8ve</p></body></html>
""")
