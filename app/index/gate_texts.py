"""The texts the int8 export is gated on (``app.index.int8_export``): news paragraphs.

The seed article's own paragraphs (Reuters via bdnews24.com, ``seeds/``) and a fixed
set of news-style paragraphs written for this purpose, across the beats an archive
holds (politics, business, courts, sport, science, weather, technology, culture), from
a headline to a paragraph longer than the model reads (256 tokens), so the gate sees
the lengths a build embeds. Shipped in the package: the gate runs offline, on the same
texts everywhere. Does not include evaluation data (the gate must not be tuned on it).
"""

from __future__ import annotations

SEED_PARAGRAPHS = (
    "Even one American in Iraq is too many, Iran leader tells Iraqi president",
    "The United States is an unreliable friend, and Iraq should not allow any US troops on its "
    "territory, Iran's Supreme leader Ayatollah Ali Khamenei told visiting Iraqi President Abdul "
    "Latif Rashid on Saturday.",
    "Iran, which has strong ties with Iraq, opposes the US military presence on its borders in Iraq "
    "and the Gulf, saying Western military intervention is the root of insecurity in the region.",
    '"Americans are not friends of Iraq. Americans are not friends with anyone and are not even loyal '
    'to their European friends," state media quoted Khamenei as saying.',
    "US national security agencies are investigating after a leak of classified documents has "
    "suggested the United States spied on allies including Ukraine.",
    '"Even the presence of one American in Iraq is too much," Khamenei told Rashid, who was in Tehran '
    "with a delegation to boost ties between the two neighbours.",
    "The United States has some 2,500 troops in Iraq to help advise and assist local troops in "
    "combating Islamic State, which in 2014 seized territory in the country.",
    "\"Iraq's main effort is to deepen relations with Iran and resolve certain remaining issues between "
    "the two countries,\" Rashid was quoted as saying, without referring to Iraq's ties with the "
    "United States.",
    "Decades after Saddam's fall, Iraqis still haunted by disappearances",
    "Pentagon chief makes unannounced trip to Iraq",
)

NEWS_PARAGRAPHS = (
    "The central bank left its main interest rate unchanged at 5.25% on Thursday, saying inflation "
    "had eased faster than expected but remained above its 2% target.",
    "Shares in the airline rose 6% in early trading after it reported a return to profit, helped by "
    "strong summer bookings and lower fuel costs.",
    "The carmaker said it would cut 3,000 jobs in Europe over the next two years as it shifts "
    "production towards electric vehicles.",
    "Oil prices fell for a third day as traders weighed rising inventories in the United States "
    "against output cuts announced by major producers.",
    "Retail sales dropped 0.8% in March, the biggest fall in a year, as households cut back on "
    "clothing and furniture while energy bills stayed high.",
    "The merger, valued at about $12 billion including debt, still needs the approval of competition "
    "regulators in Brussels and Washington.",
    "Unemployment was unchanged at 4.1%, the statistics office said, while wage growth slowed to its "
    "weakest pace since 2021.",
    "The company's chief executive will step down at the end of the year after a decade in charge, "
    "the board said in a statement.",
    "Parliament approved the budget by 312 votes to 285 late on Tuesday after a day of heated debate "
    "over spending on defence and health.",
    "The prime minister announced a cabinet reshuffle, replacing the finance and interior ministers "
    "ahead of elections due next spring.",
    "Opposition leaders called for a recount in three districts, alleging irregularities in the "
    "handling of postal ballots.",
    "Thousands of people marched through the capital on Sunday to protest against a proposed rise in "
    "the retirement age.",
    "The two countries signed an agreement to reopen their shared border crossing, closed since the "
    "start of the conflict, to trucks carrying food and medicine.",
    "Foreign ministers meeting in Geneva failed to agree on a ceasefire, but said talks would resume "
    "next week.",
    "The president vetoed the bill, saying it would give the government too much power to monitor "
    "private messages.",
    "A court sentenced the former mayor to six years in prison for taking bribes in exchange for "
    "building permits.",
    "The Supreme Court agreed to hear the case, which could decide whether states may ban the sale of "
    "the drug by mail.",
    "Police arrested four men after a raid on a warehouse where they found counterfeit medicines "
    "worth an estimated $2 million.",
    "Jurors heard that the defendant had transferred the money to an offshore account days before the "
    "company collapsed.",
    "A magnitude 6.4 earthquake struck off the coast early on Monday, shaking buildings in the city "
    "but causing no major damage, officials said.",
    "Floods have forced more than 40,000 people from their homes after days of heavy rain, and more "
    "storms are forecast for the weekend.",
    "Firefighters were still battling the wildfire on Wednesday as strong winds pushed the flames "
    "towards several villages.",
    "The heatwave pushed temperatures above 45 degrees Celsius in parts of the country, and schools "
    "were ordered to close early.",
    "Scientists said the new vaccine cut hospital admissions by about 70% in a trial of 12,000 adults "
    "across four countries.",
    "The space agency postponed the launch of its lunar lander by a day because of a fault in a fuel valve.",
    "Researchers found that the coral reef had lost half of its cover in the past 30 years, mostly "
    "because of warmer seas.",
    "A study of 500,000 people linked poor sleep to a higher risk of heart disease, though the authors "
    "cautioned it did not prove cause and effect.",
    "The smartphone maker unveiled its new model with a faster chip and a larger battery, priced from $799.",
    "Hackers stole the personal data of about 2 million customers, the telecoms company said, "
    "including names, addresses and phone numbers.",
    "The social media platform said it would start labelling images made with artificial "
    "intelligence from next month.",
    "Regulators fined the technology group 1.2 billion euros for moving European users' data to the "
    "United States without adequate protection.",
    "The striker scored twice in the second half as the home side came from behind to win 3-2 and "
    "move top of the league.",
    "She won her first Grand Slam title, beating the defending champion in straight sets in the final "
    "on Saturday.",
    "The team's coach was sacked after a run of seven defeats in eight matches left them in the "
    "relegation zone.",
    "The marathon runner broke the world record by 30 seconds, finishing in two hours and 35 seconds "
    "in Berlin.",
    "The film won the top prize at the festival, and its director thanked the cast for working for "
    "months without pay.",
    "The museum will return the bronze sculptures to Nigeria, more than a century after they were "
    "taken by British soldiers.",
    "Tickets for the band's world tour sold out within minutes, and fans complained about resale "
    "prices of more than $1,000.",
    "The novelist, whose books sold more than 20 million copies, has died at the age of 84, her "
    "publisher said.",
    '"We will not accept any deal that puts our farmers at a disadvantage," the agriculture minister '
    "told reporters after the talks.",
    '"This is a dark day for our city," the mayor said, as flags were lowered to half-mast.',
    "The hospital said the patient was in a stable condition and was expected to make a full recovery.",
    "Train drivers will strike for 48 hours next week in a dispute over pay, the union said, "
    "disrupting services across the country.",
    "The government plans to build 300,000 homes a year and will relax planning rules on unused "
    "industrial land.",
    "Wheat prices rose sharply after the main exporting port was closed by the fighting, raising "
    "fears of shortages in North Africa.",
    "The UN said 1.5 million children were at risk of malnutrition in the region after a third year "
    "of failed rains.",
    "Ghana's cocoa output is expected to fall by about 10% this season because of disease and "
    "smuggling, traders said.",
    "Hong Kong's stock exchange will allow trading to continue during typhoons from September.",
    "Who will win the election?",
    "Stocks close higher",
    "The port authority said on Friday that container traffic had recovered to its level before "
    "the strike, but shipping lines warned that delays would last into next month because vessels "
    "were still out of position across the Pacific. About 40 ships were waiting at anchor outside the "
    "harbour at the peak of the dispute, and some importers diverted cargo to ports on the other coast, "
    "paying higher rail costs to move goods inland. Retailers said the backlog had come at the worst "
    "possible time, weeks before the holiday season, and that some toys and electronics would arrive "
    "late or not at all. The union and the employers reached a tentative agreement on Wednesday night "
    "after federal mediators joined the talks, with wages rising by 32% over six years and a promise "
    "that automation at the terminals would not cost any current jobs. Members will vote on the deal "
    "next month. Economists said the strike would shave a little off growth in the third quarter but "
    "that the effect on prices should fade quickly, unlike the supply chain crisis of 2021, when "
    "freight rates rose tenfold and shortages spread from semiconductors to furniture and bicycles. "
    "The port handles about a third of the country's imports from Asia, most of them in containers "
    "that are loaded onto trucks and trains within a few days of arrival. Its director said a new "
    "berth and two more cranes, paid for by the state and due to open next year, would add a fifth "
    "to its capacity and help it compete with the ports of the south.",
)

TEXTS = SEED_PARAGRAPHS + NEWS_PARAGRAPHS
