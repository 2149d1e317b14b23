"""Every sentence the notifier writes, in Turkish (`tr`): see `texts.py`."""

from __future__ import annotations

from typing import Final

TURKISH: Final[dict[str, str]] = {
    "reason_languages": "her ikisi: {values}",
    "reason_district": "aynı semt: {values}",
    "reason_tags": "etiketler: {values}",
    "reason_text": "uygun: {values}",
    "reason_window": "zaman aralıkları örtüşüyor",
    "reason_capacity": "{offered} kişilik yer, {needed} kişi için gerekli",
    "reason_practice": "{values} pratiği",
    "greeting": "Merhaba,",
    "greeting_named": "Merhaba {name},",
    "signoff": "Integrationsnetz ekibiniz",
    "open_in_portal": "Portalda görüntüle",
    "portal_home": "Portala git",
    "why_default": "Bu e-postayı Integrationsnetz'te {organisation} kuruluşunun iletişim "
    "adresi olarak alıyorsunuz.",
    "why_subscription": "Bu e-postayı, bu adres Integrationsnetz bildirimlerine abone "
    "olduğu için alıyorsunuz.",
    "unsubscribe": "Abonelikten çık",
    "unsubscribe_hint": "Bu tür e-postaları artık almamak için:",
    "another_organisation": "başka bir ortak kuruluş",
    "a_partner": "Bir ortak kuruluş",
    "label_category": "Kategori",
    "label_district": "Semt",
    "label_when": "Ne zaman",
    "label_languages": "Diller",
    "label_reasons": "Neden uygun",
    "label_previously": "Önceki",
    "label_reason": "Neden",
    "label_overlap": "Zaman aralığı",
    "label_kind": "Tür",
    "topic_offers": "Yeni teklifler",
    "topic_requests": "Yeni talepler",
    "topic_events": "Yeni etkinlikler",
    "cat_room": "Mekân",
    "cat_furniture": "Mobilya",
    "cat_equipment": "Ekipman",
    "cat_language_partner": "Dil partneri",
    "cat_volunteers": "Gönüllüler",
    "cat_cooperation": "İş birliği",
    "cat_expertise": "Uzmanlık",
    "cat_transport": "Ulaşım",
    "cat_other": "Diğer",
    "conflict_room": "Aynı mekân iki kez rezerve edilmiş.",
    "conflict_audience": "İki etkinlik de aynı saatte, aynı semtte aynı hedef kitleye yönelik.",
    "match_subject": "Pazarda uygun bir eşleşme: {title}",
    "match_heading": "Uygun bir eşleşme bulundu",
    "match_offer_text": "“{own}” teklifinize {organisation} kuruluşunun “{other}” talebi uyuyor.",
    "match_request_text": "“{own}” talebinize {organisation} kuruluşunun “{other}” teklifi uyuyor.",
    "match_summary_subject": "Pazarda başka uygun kayıtlar: {count}",
    "match_summary_text": "Teklif ve talepleriniz için başka uygun kayıtlar burada. Tüm öneriler, "
    "en uygunu başta olmak üzere portalda.",
    "feedback_question": "Bu öneri uygun mu? Tek bir tıklama daha iyi eşleşmeler "
    "bulmamıza yardımcı olur:",
    "feedback_fits": "Uygun",
    "feedback_does_not_fit": "Uygun değil",
    "conflict_subject": "Etkinlik çakışması: {title}",
    "conflict_heading": "İki etkinlik çakışıyor",
    "conflict_text": "Ortak takvimde “{title}” ile “{other}” çakışıyor.",
    "conflict_text_unknown": "Ortak takvimde kuruluşunuzun katıldığı iki etkinlik çakışıyor.",
    "a_calendar_entry": "bir etkinlik",
    "offer_subject": "Yeni teklif: {title}",
    "request_subject": "Yeni talep: {title}",
    "event_subject": "Yeni etkinlik: {title}",
    "new_offer_text": "{organisation} aboneliğinize uyan bir şey sunuyor:",
    "new_request_text": "{organisation} aboneliğinize uyan bir şey arıyor:",
    "new_event_text": "{organisation} aboneliğinize uyan bir etkinlik ekledi:",
    "rescheduled_subject": "Etkinlik ertelendi: {title}",
    "rescheduled_text": "“{title}” etkinliğinin zamanı değişti.",
    "cancelled_subject": "Etkinlik iptal edildi: {title}",
    "cancelled_text": "“{title}” etkinliği iptal edildi.",
    "digest_daily_subject": "Günlük özetiniz: {count} yeni kayıt",
    "digest_weekly_subject": "Haftalık özetiniz: {count} yeni kayıt",
    "digest_text": "Son özetinizden bu yana Integrationsnetz'te yeni olanlar:",
    "confirm_subject": "Lütfen aboneliğinizi onaylayın",
    "confirm_text": "Birisi – umarız sizsiniz – bu adrese Integrationsnetz bildirimleri "
    "gönderilmesini istedi. Lütfen onaylayın:",
    "confirm_button": "Aboneliği onayla",
    "confirm_ignore": "Bu siz değilseniz bu e-postayı dikkate almayın; başka bir şey "
    "almayacaksınız.",
    "invitation_subject": "Integrationsnetz'e davet: {organisation}",
    "invitation_text": "Integrationsnetz'te {organisation} kuruluşunu temsil etmeye davet "
    "edildiniz. Şifrenizi bu bağlantıyla belirleyin:",
    "set_password_button": "Şifre belirle",
    "link_valid_until": "Bağlantı {when} tarihine kadar geçerlidir.",
    "reset_subject": "Integrationsnetz şifreniz",
    "reset_text": "Hesabınız için yeni bir şifre istendi. Şifrenizi bu bağlantıyla belirleyin:",
    "reset_ignore": "Bunu siz istemediyseniz bu e-postayı dikkate almayın; şifreniz değişmez.",
    "join_subject": "Davet: Integrationsnetz'te {organisation} kuruluşunu temsil edin",
    "join_text": "Mevcut hesabınızla Integrationsnetz'te {organisation} kuruluşunu "
    "temsil etmeye davet edildiniz. Giriş yapın ve daveti kabul edin; "
    "onayınız olmadan hiçbir şey değişmez.",
    "join_button": "Daveti görüntüle",
    "membership_subject": "Artık {organisation} kuruluşunu temsil ediyorsunuz",
    "membership_text": "Hesabınız Integrationsnetz'te {organisation} ile ilişkilendirildi. "
    "Her zamanki gibi giriş yapabilirsiniz.",
    "page_unsubscribe_title": "Abonelikten çık",
    "page_unsubscribe_subscription": "Bu bildirimlerin aboneliğinden çıkmak istiyor musunuz?",
    "page_unsubscribe_default": "Bu adrese artık {what} hakkında e-posta gönderilmesin mi?",
    "notice_match_found": "pazardaki eşleşmeler",
    "notice_conflict_detected": "etkinlik çakışmaları",
    "page_unsubscribed_title": "Abonelikten çıkıldı",
    "page_unsubscribed_text": "Bu e-postaları artık almayacaksınız.",
    "page_unsubscribed_default_text": "Kuruluşunuz bu e-postaları artık almayacak. "
    "Kuruluşun üyeleri bunları portalda „Mein Bereich“ (benim alanım) bölümünden yeniden "
    "açabilir.",
    "page_confirmed_title": "Abonelik onaylandı",
    "page_confirmed_text": "Bundan sonra istediğiniz bildirimleri alacaksınız.",
    # working groups and event registrations (`calendar_views.py`)
    "all_day": "tüm gün",
    "label_venue": "Yer",
    "label_group": "Çalışma grubu",
    "label_topic": "Konu",
    "calendar_request_note": "Etkinlik bir takvim kaydı olarak ektedir (invite.ics); e-posta "
    "programınız onu takviminize ekleyebilir.",
    "calendar_cancel_note": "Ekteki iptal (invite.ics) etkinliği takviminizden kaldırır.",
    "group_button": "Çalışma grubuna git",
    "meeting_invitation_subject": "Toplantı daveti: {title}",
    "meeting_invitation_text": "“{group}” çalışma grubu toplanıyor. Çalışma grubunun üyesi "
    "olarak kuruluşunuz içtenlikle davetlidir.",
    "meeting_rescheduled_subject": "Toplantı değişti: {title}",
    "meeting_rescheduled_text": "“{group}” çalışma grubunun “{title}” toplantısı değişti. "
    "Lütfen yeni bilgilere dikkat edin.",
    "meeting_cancelled_subject": "Toplantı iptal edildi: {title}",
    "meeting_cancelled_text": "“{group}” çalışma grubunun “{title}” toplantısı yapılmayacak.",
    "group_join_requested_subject": "{group} çalışma grubuna katılma isteği",
    "group_join_requested_text": "{organisation}, “{group}” çalışma grubuna katılmak istiyor. "
    "Grubun koordinatörü olarak isteği portalda kabul edebilir veya reddedebilirsiniz.",
    "group_join_requested_button": "İsteği görüntüle",
    "group_invitation_subject": "{group} çalışma grubuna davet",
    "group_invitation_text": "{coordinator}, kuruluşunuzu “{group}” çalışma grubuna davet "
    "ediyor. Daveti portalda kabul edebilirsiniz.",
    "group_invitation_button": "Daveti görüntüle",
    "registration_opt_in_subject": "Lütfen kaydınızı onaylayın: {title}",
    "registration_opt_in_text": "“{title}” için bu adresle bir kayıt aldık. Lütfen kaydı "
    "onaylayın; ancak o zaman geçerli olur:",
    "registration_confirm_button": "Kaydı onayla",
    "registration_opt_in_ignore": "Kayıt yaptırmadıysanız bu e-postayı dikkate almayın; kayıt "
    "o zaman geçersiz olur.",
    "registration_confirmed_subject": "Kayıt onaylandı: {title}",
    "registration_confirmed_text": "“{title}” için kaydınız onaylandı. Sizi görmeyi dört gözle "
    "bekliyoruz!",
    "registration_waitlisted_subject": "Bekleme listesinde: {title}",
    "registration_waitlisted_text": "“{title}” şu anda dolu. Bekleme listesinde {position}. "
    "sıradasınız. Bir yer boşalırsa otomatik olarak sıra size gelir ve bir e-posta alırsınız.",
    "registration_promoted_subject": "Artık katılıyorsunuz: {title}",
    "registration_promoted_text": "Güzel haber: “{title}” için bir yer boşaldı. Bekleme "
    "listesinden yukarı çıktınız ve artık kesin olarak kayıtlısınız.",
    "registration_cancelled_subject": "Kayıt iptal edildi: {title}",
    "registration_cancelled_text": "“{title}” için kaydınız iptal edildi. Gelemeyecek olmanıza "
    "üzüldük!",
    "registration_reminder_subject": "Hatırlatma: {title}",
    "registration_reminder_text": "“{title}” etkinliğini hatırlatmak isteriz – kaydınız var. "
    "Sizi görmeyi dört gözle bekliyoruz!",
    "registration_event_changed_subject": "Etkinlik değişti: {title}",
    "registration_event_changed_text": "Kayıtlı olduğunuz “{title}” etkinliği değişti. Kaydınız "
    "geçerliliğini koruyor. Lütfen yeni bilgilere dikkat edin.",
    "registration_event_cancelled_subject": "Etkinlik iptal edildi: {title}",
    "registration_event_cancelled_text": "Maalesef kayıtlı olduğunuz “{title}” etkinliği "
    "yapılmayacak. Bu nedenle kaydınız geçersiz oldu.",
    "registration_cancel_link": "Katılımı iptal et",
    "registration_cancel_hint": "Gelemeyecekseniz lütfen yukarıdaki bağlantıyla katılımınızı "
    "iptal edin; böylece yeriniz başka birine geçer.",
}
