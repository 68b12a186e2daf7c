/* The summariser's pure parts: labels and link normalisation. */
#include <stdlib.h>

#include "../../summarise/summary.h"
#include "unit.h"

static const char *labels(const char *text, bool question)
{
	static char out[64];
	int n[4], count = summary_parse_labels(NULL, text, question, n, 4);
	out[0] = '\0';
	for (int i = 0; i < count; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%d", i ? "," : "", n[i]);
	return out;
}

static void test_answer_labels(void)
{
	CHECK_STR(labels("A1 yes", false), "1");
	CHECK_STR(labels("A1: yes", false), "1");
	CHECK_STR(labels("A1) yes", false), "1");
	CHECK_STR(labels("a12 lower case", false), "12");
	CHECK_STR(labels("T2 also an answer", false), "2");
	CHECK_STR(labels("Q3 answer: sure", false), "3");
	CHECK_STR(labels("@hcsmca A4 via the moderator", false), "4");
	CHECK_STR(labels("@a @b.example A5 two mentions first", false), "5");
	CHECK_STR(labels("A1 & A2 both", false), "1,2");
	CHECK_STR(labels("A1/A3", false), "1,3");
	CHECK_STR(labels("Topic 2: words", false), "2");
	/* Words that begin like labels are not labels. */
	CHECK_STR(labels("T1D is hard", false), "");
	CHECK_STR(labels("Apples", false), "");
	CHECK_STR(labels("I think A1 is right", false), "");
	CHECK_STR(labels("", false), "");
}

static void test_question_labels(void)
{
	CHECK_STR(labels("T1: What?", true), "1");
	CHECK_STR(labels("T1. What?", true), "1");
	CHECK_STR(labels("Q2: What?", true), "2");
	CHECK_STR(labels("Topic 3: What?", true), "3");
	CHECK_STR(labels("Question 4) What?", true), "4");
	CHECK_STR(labels("A1: not a question", true), "");
	/* As real moderators write them (chats of 2015): a label without
	 * punctuation, after a lead-in, glued to the text. */
	CHECK_STR(labels("Q3 What might a digital syllabus look like?", true), "3");
	CHECK_STR(labels("Okay: Q1 What aspects of open pedagogy matter?", true), "1");
	CHECK_STR(labels("Great! This lack of consensus brings us to: Q2 What is", true), "2");
	CHECK_STR(labels("Let's get started! Q1.What kinds of tools?", true), "1");
	CHECK_STR(labels("Eeeep! Two more Qs! Q5. What is the role of", true), "5");
	CHECK_STR(labels("Last question: Q6. How does this change", true), "6");
	/* Announcements and mentions of a question are not the question. */
	CHECK_STR(labels("Coming up on Q4 (out of five)", true), "");
	CHECK_STR(labels("Cool, people are already getting to Q4, but I'll post it", true), "");
	CHECK_STR(labels("Bringing Q5 in a minute", true), "");
	CHECK_STR(labels("Forgot to tag Q2, sorry! Fixed now.", true), "");
	CHECK_STR(labels("T1D is hard", true), "");
}

static void test_real_answer_labels(void)
{
	CHECK_STR(labels("Q1: students need agency", false), "1");
	CHECK_STR(labels("Q1 cont. and also time", false), "1");
	CHECK_STR(labels("(Q1) we tried this", false), "1");
	CHECK_STR(labels("#q2 open licences", false), "2");
	CHECK_STR(labels("A1.1 a second thought", false), "1");
	CHECK_STR(labels("A2.2 and another", false), "2");
	CHECK_STR(labels("@prof @mod A3 after mentions", false), "3");
	CHECK_STR(labels("A4 is really a Q I wonder about", false), "4");
	CHECK_STR(labels("#a11y matters", false), "");
}

static void test_links(void)
{
	struct {
		const char *in, *want;
	} cases[] = {
	    {"https://Guides.Example.org/a?utm_source=x&utm_medium=y",
	     "https://guides.example.org/a"},
	    {"https://v.example/c?fbclid=abc&id=7", "https://v.example/c?id=7"},
	    {"https://v.example/c?id=7&gclid=1#part", "https://v.example/c?id=7#part"},
	    {"https://bit.ly/3xYz", "https://bit.ly/3xYz"}, /* shorteners stay */
	    {"https://a.example/p#x?utm_source=1", "https://a.example/p#x?utm_source=1"},
	    {"mailto:x@example.org", "mailto:x@example.org"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = summary_normalise_link(cases[i].in);
		CHECK_STR(got, cases[i].want);
		free(got);
	}
}

const unit_test_t summary_tests[] = {
    {"summary: answer labels near the start, and words that are not", test_answer_labels},
    {"summary: topic question labels", test_question_labels},
    {"summary: answer labels as real participants write them", test_real_answer_labels},
    {"summary: links lose tracking parameters only", test_links},
    {NULL, NULL},
};
