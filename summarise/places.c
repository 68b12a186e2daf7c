#include "places.h"

#include "../common/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/alloc.h"
#include "../common/strlist.h"
#include "../common/urimap.h"

#define PLACE_DATES 3

/* One local date's session: each message's topic and method, by uri. */
struct date_places {
	char date[11]; /* "" when the slot holds nothing */
	urimap_t uris; /* uri -> index into topics and methods */
	strlist_t topics;
	strlist_t methods;
};

struct session_places {
	const char *data_dir;
	const chatarc_chat_t *chat;
	struct date_places dates[PLACE_DATES]; /* in date order */
	summary_moments_t *moments;            /* read for one date, kept for the next */
};

const char *places_method_name(assign_method_t method)
{
	static const char *const names[] = {"question", "label", "reply", "time", "none"};
	return names[method];
}

static void date_init(struct date_places *p)
{
	memset(p, 0, sizeof *p);
	urimap_init(&p->uris);
}

static void date_release(struct date_places *p)
{
	urimap_release(&p->uris);
	strlist_clear(&p->topics);
	strlist_clear(&p->methods);
	date_init(p);
}

session_places_t *places_new(const char *data_dir, const chatarc_chat_t *chat,
                             archive_day_cache_t *days)
{
	session_places_t *places = xcalloc(1, sizeof *places);
	places->data_dir = data_dir;
	places->chat = chat;
	places->moments = summary_moments_new(days);
	for (int i = 0; i < PLACE_DATES; i++)
		date_init(&places->dates[i]);
	return places;
}

void places_free(session_places_t *places)
{
	if (!places)
		return;
	for (int i = 0; i < PLACE_DATES; i++)
		date_release(&places->dates[i]);
	summary_moments_free(places->moments);
	free(places);
}

static CHATARC_MUST_CHECK chatarc_status_t date_build(const session_places_t *places,
                                                      struct date_places *p, const char date[11],
                                                      chatarc_error_t *err)
{
	summary_t *s;
	date_release(p);
	chatarc_status_t status =
	    summary_build_topics(places->data_dir, places->chat, date, places->moments, &s, err);
	if (status != CHATARC_OK)
		return status;
	for (size_t i = 0; i < s->n_messages; i++) {
		const summary_message_t *m = &s->messages[i];
		bool added;
		char topic[16];
		urimap_value_t *v = urimap_insert(&p->uris, m->record.uri, &added);
		if (!added)
			continue;
		/* Every message of the window is in the session; an unassigned
		 * one has no topic. */
		if (m->section >= 0)
			snprintf(topic, sizeof topic, "t%d", s->topics[m->section].number);
		else
			snprintf(topic, sizeof topic, "%s",
			         m->section == SECTION_INTRO  ? "intro"
			         : m->section == SECTION_WRAP ? "wrap"
			                                      : "");
		v->index = p->topics.len;
		strlist_add(&p->topics, topic);
		strlist_add(&p->methods, places_method_name(m->method));
	}
	/* The date as asked: a date with no session keeps its slot, so it is
	 * not built again for the next day. */
	memcpy(p->date, date, sizeof p->date - 1);
	p->date[sizeof p->date - 1] = '\0';
	summary_free(s);
	return CHATARC_OK;
}

chatarc_status_t places_for_day(session_places_t *places, chatarc_ms_t day_start,
                                chatarc_error_t *err)
{
	struct date_places kept[PLACE_DATES];
	char dates[PLACE_DATES][11];
	for (int i = 0; i < PLACE_DATES; i++)
		time_format_day(day_start + (i - 1) * 86400000LL, dates[i]);
	memcpy(kept, places->dates, sizeof kept);
	for (int i = 0; i < PLACE_DATES; i++) {
		date_init(&places->dates[i]);
		for (int k = 0; k < PLACE_DATES; k++)
			if (kept[k].date[0] && !strcmp(kept[k].date, dates[i])) {
				places->dates[i] = kept[k]; /* moved, not copied */
				date_init(&kept[k]);
				break;
			}
	}
	for (int k = 0; k < PLACE_DATES; k++)
		date_release(&kept[k]);
	chatarc_status_t status = CHATARC_OK;
	for (int i = 0; status == CHATARC_OK && i < PLACE_DATES; i++)
		if (!places->dates[i].date[0] && time_in_range(day_start + (i - 1) * 86400000LL))
			status = date_build(places, &places->dates[i], dates[i], err);
	return status;
}

bool places_find(const session_places_t *places, const char *uri, message_place_t *out)
{
	for (int i = 0; i < PLACE_DATES; i++) {
		const struct date_places *p = &places->dates[i];
		const urimap_value_t *v = urimap_find(&p->uris, uri);
		if (v) {
			out->date = p->date;
			out->topic = p->topics.items[v->index];
			out->method = p->methods.items[v->index];
			return true;
		}
	}
	return false;
}

static uint64_t hash_text(uint64_t h, const char *text)
{
	/* With its NUL: "ab","c" and "a","bc" differ. */
	return fnv1a(h, text ? text : "", text ? strlen(text) + 1 : 1);
}

static uint64_t hash_list(uint64_t h, const strlist_t *list)
{
	h = fnv1a(h, &list->len, sizeof list->len);
	for (size_t i = 0; i < list->len; i++)
		h = hash_text(h, list->items[i]);
	return h;
}

void places_fingerprint(const chatarc_chat_t *chat, char out[17])
{
	uint64_t h = hash_text(FNV1A_START, chat->tz);
	for (size_t i = 0; i < chat->n_schedules; i++) {
		const chatarc_schedule_t *s = &chat->schedules[i];
		int numbers[3] = {s->start_minute, s->minutes, s->slack_minutes};
		h = hash_text(hash_text(h, s->rule), s->first);
		h = hash_list(hash_list(h, &s->except), &s->extra);
		h = fnv1a(h, numbers, sizeof numbers);
	}
	h = hash_list(h, &chat->moderators);
	h = hash_list(hash_list(h, &chat->question_labels), &chat->answer_labels);
	if (chat->people) {
		h = hash_list(hash_list(h, &chat->people->names), &chat->people->accounts);
		for (size_t i = 0; i < chat->people->accounts.len; i++)
			h = fnv1a(h, &chat->people->person_of[i], sizeof *chat->people->person_of);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}
